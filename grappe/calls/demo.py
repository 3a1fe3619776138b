"""Demo data of the calls app (filled in below)."""


def seed() -> list[str]:
    return []

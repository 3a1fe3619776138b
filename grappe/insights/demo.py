"""Demo data of the insights app (filled in below)."""


def seed() -> list[str]:
    return []

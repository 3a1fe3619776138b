"""Demo data of the pooling app (written below)."""


def seed() -> list[str]:
    return []

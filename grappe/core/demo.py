"""The demo: each app registers a seeder from ``AppConfig.ready()``; ``grappe demo`` runs them.

Seeders are idempotent: run twice, they add nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Seeder:
    name: str
    order: int
    seed: Callable[[], list[str]]  # returns lines to print (logins, what was added)
    generate: Callable[[int], list[str]] | None = None  # --orgs N: a generated federation


_seeders: dict[str, Seeder] = {}


def register_seeder(seeder: Seeder) -> None:
    _seeders[seeder.name] = seeder


def seeders() -> list[Seeder]:
    return sorted(_seeders.values(), key=lambda s: (s.order, s.name))

"""Read a staff need from a French sentence: which role, how many hours a week.

Members post needs in their own words (« Nous cherchons un webmaster une journée
par semaine », « besoin d'un·e comptable à mi-temps »). `parse_staff_need` finds a
known role and a weekly amount of time in such a text, so that a manager sees which
posts add up to a shared post (`timeshare.demand_for_new_post`). It only reads what
is said plainly; anything else returns None and stays for a person to read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

DAY_HOURS = Decimal(7)
FULL_TIME = Decimal(35)

# Canonical role → spellings (accent-free, lower case, word starts).
ROLES: dict[str, tuple[str, ...]] = {
    "Webmaster": ("webmaster", "webmestre", "developpeur web", "developpeuse web"),
    "Comptable": ("comptable", "aide-comptable", "aide comptable"),
    "Chargé·e de communication": (
        "charge de communication",
        "chargee de communication",
        "charge de com",
        "community manager",
        "communicant",
    ),
    "Ingénieur·e du son": (
        "ingenieur du son",
        "ingenieure du son",
        "ingenieur son",
        "sonorisateur",
    ),
    "Régisseur·se": ("regisseur", "regisseuse", "regie"),
    "Administrateur·rice": ("administrateur", "administratrice", "charge d'administration"),
    "Chargé·e de production": (
        "charge de production",
        "chargee de production",
        "producteur delegue",
    ),
    "Graphiste": ("graphiste", "designer graphique"),
    "Juriste": ("juriste",),
    "Chargé·e de diffusion": ("charge de diffusion", "chargee de diffusion", "booker", "bookeur"),
}

_NUMBERS = {
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "dix": 10,
    "douze": 12,
    "quinze": 15,
    "vingt": 20,
}
_NUMBER = r"(\d+(?:[.,]\d+)?|" + "|".join(_NUMBERS) + r")"
_PER_WEEK = r"(?:par|/|chaque|a la|la)\s*(?:semaine|sem\.?)"
_PATTERNS = [
    (re.compile(_NUMBER + r"\s*(?:demi[- ]journees?)\s*" + _PER_WEEK), Decimal("3.5")),
    (re.compile(_NUMBER + r"\s*(?:jours?|journees?)\s*" + _PER_WEEK), DAY_HOURS),
    (re.compile(_NUMBER + r"\s*(?:h|heures?)\s*" + _PER_WEEK), Decimal(1)),
]
_FIXED = [
    (re.compile(r"\bmi[- ]temps\b"), FULL_TIME / 2),
    (re.compile(r"\b(?:une|1)\s*demi[- ]journee\s*" + _PER_WEEK), Decimal("3.5")),
    (re.compile(r"\btemps plein\b"), FULL_TIME),
]


@dataclass(frozen=True)
class StatedNeed:
    role: str
    weekly_hours: Decimal


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.replace("·", "").replace("’", "'").split())


def _number(token: str) -> Decimal:
    return Decimal(_NUMBERS[token]) if token in _NUMBERS else Decimal(token.replace(",", "."))


def find_role(text: str) -> str | None:
    plain = _plain(text)
    best: tuple[int, str] | None = None
    for role, spellings in ROLES.items():
        for spelling in spellings:
            match = re.search(r"\b" + re.escape(spelling), plain)
            if match and (best is None or match.start() < best[0]):
                best = (match.start(), role)
    return best[1] if best else None


def find_weekly_hours(text: str) -> Decimal | None:
    plain = _plain(text)
    for pattern, unit in _PATTERNS:
        match = pattern.search(plain)
        if match:
            hours = _number(match.group(1)) * unit
            return hours if Decimal(0) < hours <= Decimal(48) else None
    for pattern, hours in _FIXED:
        if pattern.search(plain):
            return hours
    return None


def parse_staff_need(text: str) -> StatedNeed | None:
    """The role and the weekly hours a text states plainly, or None."""
    role = find_role(text)
    hours = find_weekly_hours(text)
    if role is None or hours is None:
        return None
    return StatedNeed(role=role, weekly_hours=hours)

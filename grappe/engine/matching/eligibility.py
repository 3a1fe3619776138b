"""Who may apply: kinds of organisation versus targeted audiences, and size limits.

An organisation's *kinds* are the Aides-territoires audience codes it belongs to, read from
its INSEE legal category: 92xx associations are ``association``; companies (5xxx, 6xxx) are
``private_sector``; a sole trader (1000) is both ``private_sector`` and ``private_person``;
local authorities and public bodies (7xxx, 4xxx) map to their audience. A call with
audiences admits an organisation when they share a code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grappe.engine.text import strip_accents

AUDIENCE_LABELS: dict[str, str] = {
    "association": "associations",
    "private_sector": "entreprises privées",
    "private_person": "particuliers",
    "commune": "communes",
    "epci": "intercommunalités",
    "department": "départements",
    "region": "régions",
    "special": "collectivités d'outre-mer à statut particulier",
    "farmer": "agriculteurs",
    "public_cies": "entreprises publiques locales",
    "public_org": "établissements publics",
    "researcher": "organismes de recherche",
}

# Legal category prefixes -> the phrase that names them in a reason ("vous êtes une SAS").
_LEGAL_NAMES: tuple[tuple[str, str], ...] = (
    ("1000", "une entreprise individuelle"),
    ("5498", "une EURL"),
    ("5710", "une SAS"),
    ("5720", "une SASU"),
    ("5785", "une SELAS"),
    ("54", "une SARL"),
    ("55", "une SA"),
    ("56", "une SA"),
    ("52", "une SNC"),
    ("53", "une société en commandite"),
    ("58", "une société européenne"),
    ("6220", "un GIE"),
    ("65", "une société civile"),
    ("5", "une société commerciale"),
    ("6", "une personne morale de droit privé"),
    ("92", "une association"),
    ("93", "une fondation"),
    ("7210", "une commune"),
    ("7220", "un département"),
    ("7230", "une région"),
    ("734", "une intercommunalité"),
    ("7", "un organisme public"),
    ("4", "un établissement public industriel et commercial"),
)


def org_kinds(legal_category: str | None) -> frozenset[str]:
    """Audience codes an organisation of this INSEE legal category belongs to (empty: unknown)."""
    code = (legal_category or "").strip()
    if not code:
        return frozenset()
    if code == "1000":
        return frozenset({"private_sector", "private_person"})
    if code.startswith("92"):
        return frozenset({"association"})
    if code.startswith("93"):
        return frozenset({"foundation"})
    if code[0] in "56":
        return frozenset({"private_sector"})
    if code == "7210":
        return frozenset({"commune"})
    if code == "7220":
        return frozenset({"department"})
    if code == "7230":
        return frozenset({"region"})
    if code.startswith("734"):
        return frozenset({"epci"})
    if code[0] in "47":
        return frozenset({"public_org"})
    return frozenset()


def legal_name(legal_category: str | None) -> str:
    """How a reason names the organisation's form: "une SAS", "une association"..."""
    code = (legal_category or "").strip()
    for prefix, name in _LEGAL_NAMES:
        if code.startswith(prefix):
            return name
    return "une structure de forme juridique inconnue"


def audience_phrase(audiences: frozenset[str] | set[str]) -> str:
    """{"association", "private_sector"} -> "aux associations et aux entreprises privées"."""
    items = [f"aux {AUDIENCE_LABELS.get(code, code)}" for code in _ordered(audiences)]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def _ordered(audiences: frozenset[str] | set[str]) -> list[str]:
    order = list(AUDIENCE_LABELS)
    return sorted(audiences, key=lambda code: (order.index(code) if code in order else 99, code))


def admits(audiences: frozenset[str], kinds: frozenset[str]) -> bool | None:
    """True/False whether a call's audiences admit these kinds; None when it cannot be told."""
    if not audiences:
        return True
    if not kinds:
        return None
    return bool(audiences & kinds)


# --- size ---------------------------------------------------------------------------------

# SIRENE "tranche d'effectifs" -> (min, max, label).
SIZE_BANDS: dict[str, tuple[int, int, str]] = {
    "00": (0, 0, "aucun salarié"),
    "01": (1, 2, "1 ou 2 salariés"),
    "02": (3, 5, "3 à 5 salariés"),
    "03": (6, 9, "6 à 9 salariés"),
    "11": (10, 19, "10 à 19 salariés"),
    "12": (20, 49, "20 à 49 salariés"),
    "21": (50, 99, "50 à 99 salariés"),
    "22": (100, 199, "100 à 199 salariés"),
    "31": (200, 249, "200 à 249 salariés"),
    "32": (250, 499, "250 à 499 salariés"),
    "41": (500, 999, "500 à 999 salariés"),
    "42": (1000, 1999, "1 000 à 1 999 salariés"),
    "51": (2000, 4999, "2 000 à 4 999 salariés"),
    "52": (5000, 9999, "5 000 à 9 999 salariés"),
    "53": (10000, 10**9, "10 000 salariés et plus"),
}

_NUMBER_WORDS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "dix": 10}
_UNIT = r"(?:salaries?|employes?|emplois|etp|personnes)"
_NUM = r"(\d[\d \u00a0\u202f.]*|un|une|deux|trois|quatre|cinq|dix)"
_LESS = re.compile(rf"\bmoins de {_NUM} {_UNIT}\b")
_AT_MOST = re.compile(rf"\b(?:jusqu'a|au plus|au maximum|maximum) {_NUM} {_UNIT}\b")
_AT_LEAST = re.compile(rf"\b(?:au moins|minimum|au minimum) {_NUM} {_UNIT}\b")
_MORE = re.compile(rf"\bplus de {_NUM} {_UNIT}\b")
_BETWEEN = re.compile(rf"\bde {_NUM} a {_NUM} {_UNIT}\b")
_CATEGORY_MAX = (("tpe", 9), ("pme", 249), ("eti", 4999))
_SOFTENERS = ("priorit", "notamment", "en particulier", "de preference")


@dataclass(frozen=True)
class SizeLimit:
    """Headcount bounds read from a call's text (inclusive); None means unbounded."""

    low: int | None
    high: int | None

    def phrase(self) -> str:
        if self.low is not None and self.high is not None:
            return f"de {self.low} à {self.high} salariés"
        if self.high is not None:
            return f"de moins de {self.high + 1} salariés"
        return f"d'au moins {self.low} salarié" + ("s" if (self.low or 0) > 1 else "")


def _number(text: str) -> int:
    text = text.strip()
    if text in _NUMBER_WORDS:
        return _NUMBER_WORDS[text]
    return int(re.sub(r"\D", "", text))


def size_limit(text: str) -> SizeLimit | None:
    """Headcount limits stated in a call's text ("TPE de moins de 10 salariés"), if any.

    Explicit numbers win over the TPE/PME/ETI words; limits introduced as a priority
    ("priorité aux associations de moins de 2 salariés") are not limits.
    """
    flat = " ".join(strip_accents((text or "").lower().replace("\u2019", "'")).split())
    low: int | None = None
    high: int | None = None

    def firm(match: re.Match[str]) -> bool:
        before = flat[max(0, match.start() - 45) : match.start()]
        return not any(word in before for word in _SOFTENERS)

    for match in _BETWEEN.finditer(flat):
        if firm(match):
            low, high = _number(match.group(1)), _number(match.group(2))
    for match in _LESS.finditer(flat):
        if firm(match):
            value = _number(match.group(1)) - 1
            high = value if high is None else max(high, value)
    for match in _AT_MOST.finditer(flat):
        if firm(match):
            value = _number(match.group(1))
            high = value if high is None else max(high, value)
    for pattern, offset in ((_AT_LEAST, 0), (_MORE, 1)):
        for match in pattern.finditer(flat):
            if firm(match):
                value = _number(match.group(1)) + offset
                low = value if low is None else min(low, value)
    if high is None and low is None:
        words = [limit for word, limit in _CATEGORY_MAX if re.search(rf"\b{word}s?\b", flat)]
        if words and not re.search(r"\bgrandes? entreprises?\b", flat):
            high = max(words)
    if low is None and high is None:
        return None
    return SizeLimit(low, high)


def size_fits(size_band: str | None, limit: SizeLimit | None) -> bool | None:
    """Whether a SIRENE size band fits a limit: True, False, or None (no limit / unknown)."""
    if limit is None or size_band not in SIZE_BANDS:
        return None
    low, high, _ = SIZE_BANDS[size_band]
    if limit.high is not None and low > limit.high:
        return False
    return not (limit.low is not None and high < limit.low)

"""What the matcher takes and gives: frozen dataclasses, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from grappe.engine.matching.territory import Perimeter


@dataclass(frozen=True)
class CallProfile:
    """A public call for projects or an aid, as the matcher sees it.

    ``categories`` are Aides-territoires ``"Theme|Category"`` strings (or bare categories);
    audiences, aid types and recurrence are Aides-territoires codes; texts are plain text.
    """

    id: str
    title: str
    perimeter: Perimeter
    description: str = ""
    eligibility: str = ""
    categories: tuple[str, ...] = ()
    targeted_audiences: frozenset[str] = frozenset()
    aid_types: frozenset[str] = frozenset()
    financers: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    start_date: date | None = None
    submission_deadline: date | None = None
    recurrence: str | None = None
    is_call_for_project: bool = False


@dataclass(frozen=True)
class PastApplication:
    """A call the organisation applied to before (any status), kept for similarity."""

    call_id: str
    title: str
    categories: tuple[str, ...] = ()
    financers: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    obtained: bool | None = None


@dataclass(frozen=True)
class OrgProfile:
    """A member organisation: where it is, what it is, what it does and needs.

    ``commune`` is its INSEE commune code (a Paris arrondissement such as 75118 is fine);
    ``legal_category`` the INSEE *catégorie juridique* (4 digits: 92xx associations, 5xxx
    companies, 1000 sole traders); ``size_band`` the SIRENE *tranche d'effectifs* code;
    ``naf_codes`` its activity codes, main first (``"59.20Z"``).
    """

    id: str
    name: str
    commune: str
    legal_category: str | None = None
    naf_codes: tuple[str, ...] = ()
    size_band: str | None = None
    description: str = ""
    tags: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    past_applications: tuple[PastApplication, ...] = ()
    epci: str | None = None


@dataclass(frozen=True)
class Match:
    """A call matched to an organisation: score in [0, 1], reasons in plain French.

    ``components`` are the weighted parts of the score (name, value), for debugging and for
    the manager's detailed view; they add up to ``score`` before rounding.
    """

    call_id: str
    org_id: str
    score: float
    reasons: tuple[str, ...]
    components: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class ClusterMatch:
    """A call where applying together beats any single member's application."""

    call_id: str
    score: float
    best_single_score: float
    members: tuple[str, ...]
    reasons: tuple[str, ...]

"""The radar's plain types: texts in, themes and proposals out."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

SERVICE_KINDS = ("cost_pool", "shared_post", "pooled_study", "group_purchase")


@dataclass(frozen=True, slots=True)
class TextItem:
    """One free text a member wrote: a need, an offer, a support request, a survey answer."""

    id: str
    text: str
    org: str | None = None
    date: datetime.date | None = None


@dataclass(frozen=True, slots=True)
class Proposal:
    """A pooled service the theme calls for, with its estimated saving per member.

    Amounts are monthly estimates in euros (see the taxonomy's ``cost_note``), never quotes.
    """

    kind: str
    """One of SERVICE_KINDS."""
    title: str
    """The service, in French ("Local de stockage partagé")."""
    members: tuple[str, ...]
    """Organisations that would join (sorted). Texts without an organisation count in
    the member number used for the shares, but cannot be listed here."""
    alone_monthly: Decimal
    pooled_monthly: Decimal
    """Each member's share of the pooled service for len(members) members."""
    saving_monthly: Decimal
    """alone_monthly − pooled_monthly, per member, never negative."""
    break_even_members: int | None
    """Fewest members from which pooling costs each less than going alone (None: never)."""
    cost_note: str


@dataclass(frozen=True, slots=True)
class Theme:
    id: str
    label: str
    """Short label in French."""
    text_ids: tuple[str, ...]
    members: int
    """Distinct organisations among the texts; a text without one counts as one member
    (so: the number of texts when no text has an organisation)."""
    size: int
    trend: dict[str, int]
    """YYYY-MM → number of texts, every month from the corpus's first dated month to its last."""
    taxonomy_key: str | None
    proposal: Proposal | None


@dataclass(frozen=True, slots=True)
class RadarResult:
    assignments: dict[str, str | None]
    """Text id → theme id, or None for a text that shares no theme with others."""
    themes: list[Theme]
    """Ranked by members, then size, then id."""

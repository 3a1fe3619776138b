"""Free texts members write, for the common-needs radar: each app that holds some
registers a *text source*; the insights app collects them. Neither side imports the other.

A source is called with a cluster and returns :class:`SourceText` objects: the needs and
offers members post, survey answers, support requests, notes on refused bookings… Each
carries who may read it (``visibility``), so that the radar's drill-down shows a text only
to those who could read it where it was written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# Who may read a text, from the widest to the narrowest.
PUBLIC = "public"  # anyone
CLUSTER = "cluster"  # the cluster's people: members, managers (not observers: aggregates only)
PRIVATE = "private"  # the writing firm's own people and the cluster's managers
MANAGERS = "managers"  # the cluster's managers only (and never another firm)
VISIBILITIES = (PUBLIC, CLUSTER, PRIVATE, MANAGERS)


@dataclass(frozen=True)
class SourceText:
    id: str  # stable and unique within its source ("12" for post 12)
    text: str
    organisation_id: int | None
    date: dt.date | None  # when it was written, Paris calendar day
    visibility: str  # one of VISIBILITIES
    title: str = ""  # a short heading shown with the text (optional)

    def __post_init__(self):
        if self.visibility not in VISIBILITIES:
            raise ValueError(f"unknown visibility {self.visibility!r}")


TextSource = Callable[["object"], Iterable[SourceText]]
_sources: dict[str, TextSource] = {}
_labels: dict[str, object] = {}


def register_text_source(name: str, source: TextSource, label=None) -> None:
    """Register ``source(cluster) -> Iterable[SourceText]`` under a stable name, with a
    French label for the pages (a lazy translation; the name when none is given)."""
    _sources[name] = source
    _labels[name] = label or name


def text_sources() -> dict[str, TextSource]:
    return dict(sorted(_sources.items()))


def text_source_label(name: str) -> str:
    """The label a source was registered with (a source no longer registered: its name)."""
    return str(_labels.get(name, name))


def can_read(actor, *, visibility: str, organisation_id: int | None) -> bool:
    """Whether an actor may read a text of this visibility written by this firm."""
    if actor.is_manager:
        return True
    own = organisation_id is not None and actor.acts_for(organisation_id)
    if visibility == PUBLIC:
        return True
    if visibility == CLUSTER:
        return actor.is_member
    return own if visibility == PRIVATE else False

"""Demand: members' stated needs for a kind of role, and when they justify a new shared post.

`demand_for_new_post` groups `Need` by role (case, accents and spacing ignored) and
proposes a post when enough firms ask for enough hours.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from grappe.engine.allocation import gettext_noop
from grappe.engine.timeshare.checks import Hours, check_hours, describe
from grappe.engine.timeshare.messages import Message, TimeshareError, fr_number

FULL_TIME_WEEKLY_HOURS = Decimal(35)


@dataclass(frozen=True, kw_only=True)
class Need:
    """A member's stated need for a kind of role, in hours per week."""

    member: Hashable
    role: str
    weekly_hours: Decimal

    def __post_init__(self) -> None:
        if not isinstance(self.role, str) or not self.role.split():
            raise TimeshareError(gettext_noop("Le besoin doit nommer un métier."))
        object.__setattr__(
            self,
            "weekly_hours",
            check_hours(
                self.weekly_hours, what=gettext_noop("Le besoin hebdomadaire"), positive=True
            ),
        )


@dataclass(frozen=True, kw_only=True)
class Proposal:
    """The demand for one role, and whether it is enough for a new shared post."""

    role: str
    members: tuple[Hashable, ...]
    weekly_hours: Decimal
    full_time_hours: Decimal
    share_of_full_time: Decimal  # weekly_hours / full_time_hours, rounded down to 0.0001
    sufficient: bool
    message: Message
    reasons: tuple[Message, ...] = field(default=())

    def explanation(self) -> str:
        return " : ".join([str(self.message), " ; ".join(map(str, self.reasons))])


def _role_key(role: str) -> str:
    decomposed = unicodedata.normalize("NFKD", " ".join(role.split()).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def demand_for_new_post(
    needs: Iterable[Need],
    *,
    full_time_hours: Hours = FULL_TIME_WEEKLY_HOURS,
    threshold: Decimal | int = Decimal("0.5"),
    min_members: int = 2,
    include_insufficient: bool = False,
) -> list[Proposal]:
    """Roles whose stated needs justify a new shared post.

    Needs are grouped by role (case, accents and spacing ignored); a member's needs
    for one role add up. A post is proposed when at least ``min_members`` firms ask
    for it and their hours reach ``threshold`` of a full-time week. Sorted by hours,
    most first; with ``include_insufficient``, the other roles follow, each saying
    what is missing.
    """
    full_time = check_hours(full_time_hours, what=gettext_noop("Le temps plein"), positive=True)
    if isinstance(threshold, bool) or not isinstance(threshold, int | Decimal):
        raise TimeshareError(
            gettext_noop("Le seuil doit être une part exacte d'un temps plein, pas %(value)s."),
            value=describe(threshold),
        )
    threshold = Decimal(threshold)
    if not threshold.is_finite() or threshold <= 0:
        raise TimeshareError(
            gettext_noop("Le seuil doit être une part positive d'un temps plein, pas %(value)s."),
            value=describe(threshold),
        )
    if isinstance(min_members, bool) or not isinstance(min_members, int) or min_members < 2:
        raise TimeshareError(
            gettext_noop("Un poste partagé suppose au moins 2 entreprises (reçu : %(value)s)."),
            value=describe(min_members),
        )

    hours_by_role: dict[str, dict[Hashable, Decimal]] = {}
    spellings: dict[str, Counter[str]] = {}
    for need in needs:
        if not isinstance(need, Need):
            raise TimeshareError(gettext_noop("Besoin invalide : %(value)s."), value=need)
        key = _role_key(need.role)
        members = hours_by_role.setdefault(key, {})
        members[need.member] = members.get(need.member, Decimal(0)) + need.weekly_hours
        spellings.setdefault(key, Counter())[" ".join(need.role.split())] += 1

    proposals = []
    for key, members in hours_by_role.items():
        label = min(spellings[key].items(), key=lambda item: (-item[1], item[0]))[0]
        proposal = _proposal(
            label,
            members,
            full_time=full_time,
            threshold=threshold,
            min_members=min_members,
        )
        if proposal.sufficient or include_insufficient:
            proposals.append(proposal)
    proposals.sort(key=lambda p: (not p.sufficient, -p.weekly_hours, -len(p.members), p.role))
    return proposals


def _proposal(
    label: str,
    members: dict[Hashable, Decimal],
    *,
    full_time: Decimal,
    threshold: Decimal,
    min_members: int,
) -> Proposal:
    total = sum(members.values(), Decimal(0))
    share = Fraction(total) / Fraction(full_time)
    count = len(members)
    enough_hours = share >= Fraction(threshold)
    enough_members = count >= min_members
    percent = fr_number(_floor(share * 100, places=1))
    if count == 1:
        message = Message.of(
            gettext_noop(
                "%(role)s : 1 entreprise demande %(hours)s h par semaine, "
                "soit %(percent)s %% d'un temps plein de %(full_time)s h"
            ),
            role=label,
            hours=fr_number(total),
            percent=percent,
            full_time=fr_number(full_time),
        )
    else:
        message = Message.of(
            gettext_noop(
                "%(role)s : %(count)s entreprises demandent au total %(hours)s h par semaine, "
                "soit %(percent)s %% d'un temps plein de %(full_time)s h"
            ),
            role=label,
            count=count,
            hours=fr_number(total),
            percent=percent,
            full_time=fr_number(full_time),
        )
    reasons: list[Message] = []
    if enough_hours and enough_members:
        reasons.append(
            Message.of(gettext_noop("assez pour plus d'un poste partagé"))
            if share > 1
            else Message.of(gettext_noop("assez pour créer un poste partagé"))
        )
    if not enough_hours:
        missing = Fraction(threshold) * Fraction(full_time) - Fraction(total)
        reasons.append(
            Message.of(
                gettext_noop(
                    "il manque %(missing)s h par semaine pour atteindre le seuil de "
                    "%(threshold)s %% d'un temps plein"
                ),
                missing=fr_number(_ceil(missing, places=2)),
                threshold=fr_number(threshold * 100),
            )
        )
    if not enough_members:
        reasons.append(
            Message.of(
                gettext_noop("il faut au moins %(min_members)s entreprises pour partager un poste"),
                min_members=min_members,
            )
        )
    return Proposal(
        role=label,
        members=tuple(sorted(members, key=lambda member: (str(member), repr(member)))),
        weekly_hours=total,
        full_time_hours=full_time,
        share_of_full_time=_floor(share, places=4),
        sufficient=enough_hours and enough_members,
        message=message,
        reasons=tuple(reasons),
    )


def _floor(value: Fraction, *, places: int) -> Decimal:
    scale = 10**places
    return Decimal(f"{value.numerator * scale // value.denominator}E-{places}")


def _ceil(value: Fraction, *, places: int) -> Decimal:
    scale = 10**places
    return Decimal(f"{-(-value.numerator * scale // value.denominator)}E-{places}")

"""Reads on cost pools: lists, a month's split (the preview and the charges), and a
member's own shares. Managers see every participant; a participant sees the pool and
its own share, never another firm's."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from grappe.core.access import Actor, require
from grappe.engine import costpools
from grappe.engine.allocation import AllocationError
from grappe.engine.bookings import minutes_between
from grappe.pooling.models import Booking, CostPool, CustomShare, Participation
from grappe.pooling.periods import days_range, to_local


def pool_list(*, actor: Actor) -> QuerySet[CostPool]:
    """Managers: every pool of the cluster; members: the pools their firms take part in."""
    require(actor.is_member or actor.is_manager)
    qs = CostPool.objects.filter(cluster=actor.cluster)
    if not actor.is_manager:
        qs = qs.filter(participations__organisation_id__in=actor.organisation_ids).distinct()
    return qs.order_by("name")


def pool_get(*, actor: Actor, pk: int) -> CostPool:
    return get_object_or_404(pool_list(actor=actor), pk=pk)


def participation_list(*, actor: Actor, pool: CostPool) -> QuerySet[Participation]:
    require(pool.cluster_id == actor.cluster.pk)
    qs = pool.participations.select_related("organisation")
    if not actor.is_manager:
        qs = qs.filter(organisation_id__in=actor.organisation_ids)
    return qs.order_by("organisation__name", "joined_on")


def participation_get(*, actor: Actor, pk: int) -> Participation:
    require(actor.is_manager)
    return get_object_or_404(
        Participation.objects.select_related("pool", "organisation"),
        pool__cluster=actor.cluster,
        pk=pk,
    )


def custom_shares(*, actor: Actor, pool: CostPool, period: dt.date) -> dict[int, object]:
    """A month's custom weights of a pool, by participation id (managers)."""
    require(actor.is_manager and pool.cluster_id == actor.cluster.pk)
    return dict(
        CustomShare.objects.filter(
            participation__pool=pool, period=period.replace(day=1)
        ).values_list("participation_id", "weight")
    )


def _booked_minutes(
    pool: CostPool, participations: list[Participation], first_day: dt.date, last_day: dt.date
) -> dict[int, int]:
    """Minutes each participation's firm booked on the pool's resources, during its
    presence in the period (Paris days of the bookings' starts)."""
    low, high = days_range(first_day, last_day)
    rows = Booking.objects.confirmed().filter(
        resource__cost_pool=pool, starts_at__gte=low, starts_at__lt=high
    )
    by_org: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for org_id, start, end in rows.values_list("organisation_id", "starts_at", "ends_at"):
        by_org[org_id].append((to_local(start).date(), minutes_between(start, end)))
    minutes = {}
    for participation in participations:
        minutes[participation.pk] = sum(
            length
            for day, length in by_org.get(participation.organisation_id, [])
            if participation.present_on(day)
        )
    return minutes


def _spells(participations: list[Participation]) -> list[costpools.Spell]:
    return [
        costpools.Spell(
            key=p.pk,
            label=p.organisation.name,
            joined_on=p.joined_on,
            left_on=p.left_on,
            weight=p.weight,
            surface=p.surface,
            alone_amount=p.alone_amount,
        )
        for p in participations
    ]


def pool_split(
    pool: CostPool, first_day: dt.date, last_day: dt.date
) -> costpools.PeriodSplit | None:
    """The pool's split for a Paris month (keys: participation ids), or None when the
    pool has nothing in that month. Raises CostPoolError / AllocationError (French)."""
    participations = list(pool.participations.select_related("organisation"))
    booked = (
        _booked_minutes(pool, participations, first_day, last_day)
        if pool.allocation_key == CostPool.Key.BOOKED_TIME
        else None
    )
    custom = None
    if pool.allocation_key == CostPool.Key.CUSTOM:
        custom = dict(
            CustomShare.objects.filter(
                participation__pool=pool, period=first_day.replace(day=1)
            ).values_list("participation_id", "weight")
        )
    if pool.kind == CostPool.Kind.ONE_OFF:
        if not first_day <= pool.starts_on <= last_day:
            return None
        return costpools.split_one_off(
            pool.amount,
            _spells(participations),
            key=pool.allocation_key,
            day=pool.starts_on,
            booked_minutes=booked,
            custom_weights=custom,
        )
    return costpools.split_period(
        pool.amount,
        _spells(participations),
        key=pool.allocation_key,
        first_day=first_day,
        last_day=last_day,
        starts_on=pool.starts_on,
        ends_on=pool.ends_on,
        booked_minutes=booked,
        custom_weights=custom,
    )


def error_message(exc: Exception) -> str:
    template = getattr(exc, "template", None)
    if template is None:
        return str(exc)
    params = getattr(exc, "params", None)
    return _(template) % params if params else _(template)


@dataclass(frozen=True)
class Preview:
    pool: CostPool
    first_day: dt.date
    last_day: dt.date
    split: costpools.PeriodSplit | None
    error: str = ""

    @property
    def notes(self) -> list[str]:
        return [_(note) for note in self.split.notes] if self.split else []

    @property
    def savings(self):
        if not self.split:
            return None
        known = [s.saving for s in self.split.shares if s.saving is not None]
        return sum(known) if known else None


def pool_preview(*, actor: Actor, pool: CostPool, first_day: dt.date, last_day: dt.date) -> Preview:
    """A month's split, as the charges will bill it (managers)."""
    require(actor.is_manager and pool.cluster_id == actor.cluster.pk)
    try:
        split = pool_split(pool, first_day, last_day)
    except (costpools.CostPoolError, AllocationError) as exc:
        return Preview(pool, first_day, last_day, None, error_message(exc))
    return Preview(pool, first_day, last_day, split)


@dataclass(frozen=True)
class MemberShare:
    pool: CostPool
    share: costpools.Share


def member_pool_shares(*, actor: Actor, first_day: dt.date, last_day: dt.date) -> list[MemberShare]:
    """The actor's firms' shares of every pool they take part in, for a month."""
    shares = []
    pools = CostPool.objects.filter(
        cluster=actor.cluster, participations__organisation_id__in=actor.organisation_ids
    ).distinct()
    own = set(
        Participation.objects.filter(
            pool__in=pools, organisation_id__in=actor.organisation_ids
        ).values_list("pk", flat=True)
    )
    for pool in pools.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first_day)):
        try:
            split = pool_split(pool, first_day, last_day)
        except (costpools.CostPoolError, AllocationError):
            continue
        if split is None:
            continue
        shares += [MemberShare(pool, share) for share in split.shares if share.key in own]
    return shares

"""Writes on cost pools (managers only, audited): pools, participations, custom shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grappe.core.access import Actor
from grappe.core.services import audit_record
from grappe.members.models import Organisation
from grappe.pooling import permissions
from grappe.pooling.models import CostPool, CustomShare, Participation

POOL_FIELDS = (
    "name",
    "description",
    "kind",
    "amount",
    "vat_rate",
    "allocation_key",
    "starts_on",
    "ends_on",
)
PARTICIPATION_FIELDS = ("joined_on", "left_on", "weight", "surface", "alone_amount")


def _require_manager(by: Actor, cluster_id: int | None = None) -> None:
    if not by.is_manager or (cluster_id is not None and cluster_id != by.cluster.pk):
        raise PermissionDenied


def _clean_pool(pool: CostPool) -> None:
    pool.full_clean(exclude=["cluster"], validate_unique=False)
    if (
        CostPool.objects.filter(cluster_id=pool.cluster_id, name__iexact=pool.name)
        .exclude(pk=pool.pk)
        .exists()
    ):
        raise ValidationError({"name": _("Un pool de la grappe porte déjà ce nom.")})
    if pool.amount != pool.amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": _("Le montant s'exprime en euros et centimes.")})


@transaction.atomic
def pool_create(*, by: Actor, **data) -> CostPool:
    _require_manager(by)
    pool = CostPool(cluster=by.cluster, **{k: v for k, v in data.items() if k in POOL_FIELDS})
    _clean_pool(pool)
    pool.save()
    audit_record(
        actor=by,
        action="cost_pool.create",
        target=pool,
        changes={"amount": str(pool.amount), "key": pool.allocation_key},
    )
    return pool


@transaction.atomic
def pool_update(*, pool: CostPool, by: Actor, **data) -> CostPool:
    _require_manager(by, pool.cluster_id)
    pool = CostPool.objects.select_for_update().get(pk=pool.pk)
    changes = {}
    for name, value in data.items():
        if name not in POOL_FIELDS:
            raise ValueError(f"not a cost pool field: {name}")
        if getattr(pool, name) != value:
            changes[name] = [str(getattr(pool, name)), str(value)]
            setattr(pool, name, value)
    _clean_pool(pool)
    pool.save()
    if changes:
        audit_record(actor=by, action="cost_pool.update", target=pool, changes=changes)
    return pool


def _clean_participation(participation: Participation) -> None:
    participation.full_clean(exclude=["pool", "organisation"], validate_unique=False)
    participation.validate_constraints()
    others = Participation.objects.filter(
        pool_id=participation.pool_id, organisation_id=participation.organisation_id
    ).exclude(pk=participation.pk)
    for other in others:
        if participation.joined_on <= (other.left_on or dt.date.max) and other.joined_on <= (
            participation.left_on or dt.date.max
        ):
            raise ValidationError(
                _(
                    "%(org)s participe déjà à ce pool sur une période qui chevauche celle-ci "
                    "(depuis le %(joined)s)."
                )
                % {
                    "org": participation.organisation.name,
                    "joined": other.joined_on.strftime("%d/%m/%Y"),
                }
            )


@transaction.atomic
def participation_add(
    *, pool: CostPool, organisation: Organisation, by: Actor, **data
) -> Participation:
    _require_manager(by, pool.cluster_id)
    if not permissions.is_cluster_member(pool.cluster, organisation.pk):
        raise ValidationError(
            {"organisation": _("Seule une structure membre de la grappe peut participer.")}
        )
    participation = Participation(
        pool=pool,
        organisation=organisation,
        **{k: v for k, v in data.items() if k in PARTICIPATION_FIELDS and v is not None},
    )
    _clean_participation(participation)
    participation.save()
    audit_record(
        actor=by,
        action="cost_pool.participation_add",
        target=pool,
        changes={"organisation": organisation.name, "joined_on": str(participation.joined_on)},
    )
    return participation


@transaction.atomic
def participation_update(*, participation: Participation, by: Actor, **data) -> Participation:
    _require_manager(by, participation.pool.cluster_id)
    participation = (
        Participation.objects.select_for_update()
        .select_related("pool", "organisation")
        .get(pk=participation.pk)
    )
    changes = {}
    for name, value in data.items():
        if name not in PARTICIPATION_FIELDS:
            raise ValueError(f"not a participation field: {name}")
        if getattr(participation, name) != value:
            changes[name] = [str(getattr(participation, name)), str(value)]
            setattr(participation, name, value)
    _clean_participation(participation)
    participation.save()
    if changes:
        audit_record(
            actor=by,
            action="cost_pool.participation_update",
            target=participation.pool,
            changes={"organisation": participation.organisation.name, **changes},
        )
    return participation


@transaction.atomic
def custom_shares_set(
    *, pool: CostPool, by: Actor, period: dt.date, weights: Mapping[int, Decimal]
) -> list[CustomShare]:
    """Replace a month's custom shares of a pool in one write (participation id → weight)."""
    _require_manager(by, pool.cluster_id)
    if pool.allocation_key != CostPool.Key.CUSTOM:
        raise ValidationError(_("Ce pool ne se répartit pas par parts saisies."))
    period = period.replace(day=1)
    ids = set(pool.participations.values_list("pk", flat=True))
    unknown = set(weights) - ids
    if unknown:
        raise ValidationError(_("Participation inconnue pour ce pool."))
    rows = []
    for participation_id, weight in weights.items():
        if weight is None:
            continue
        if not isinstance(weight, Decimal) or not weight.is_finite() or weight < 0:
            raise ValidationError(_("Une part est un nombre positif ou nul."))
        rows.append(CustomShare(participation_id=participation_id, period=period, weight=weight))
    if not any(row.weight for row in rows):
        raise ValidationError(_("Saisissez au moins une part non nulle."))
    CustomShare.objects.filter(participation__pool=pool, period=period).delete()
    created = CustomShare.objects.bulk_create(rows)
    audit_record(
        actor=by,
        action="cost_pool.custom_shares",
        target=pool,
        changes={
            "period": period.strftime("%Y-%m"),
            "shares": {str(r.participation_id): str(r.weight) for r in rows},
        },
    )
    return created

"""The ledger: billing profile, charges from the charge sources, payments."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.billing.models import (
    ZERO,
    BillingProfile,
    Invoice,
    LedgerEntry,
    PaymentAllocation,
)
from grappe.core.access import Actor
from grappe.core.charges import ChargeLine, charge_sources
from grappe.core.models import Cluster
from grappe.core.services import audit_record
from grappe.members.models import Membership, Organisation

CENT = Decimal("0.01")
CHUNK = 500
PROFILE_FIELDS = (
    "legal_name",
    "siret",
    "address",
    "postcode",
    "city",
    "vat_number",
    "vat_subject",
    "default_vat_rate",
    "payment_terms_days",
    "late_penalty_rate",
    "iban",
    "bic",
    "invoice_footer",
)
# Fields a new collection may update on a line not invoiced yet.
CHARGE_FIELDS = (
    "organisation_id",
    "date",
    "category",
    "label",
    "quantity",
    "unit",
    "unit_price",
    "amount",
    "vat_rate",
    "alone_amount",
    "source",
)


def require_manager(actor: Actor) -> None:
    if not (actor.is_manager or actor.is_system):
        raise PermissionDenied


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Billing profile ---------------------------------------------------------------------


@transaction.atomic
def billing_profile_update(*, by: Actor, **data) -> BillingProfile:
    """Create or update the cluster's billing profile (managers)."""
    require_manager(by)
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not billing profile fields: {sorted(unknown)}")
    profile = BillingProfile.objects.select_for_update().filter(cluster=by.cluster).first()
    created = profile is None
    profile = profile or BillingProfile(cluster=by.cluster)
    changes = {}
    for name, value in data.items():
        if isinstance(value, str):
            value = value.strip()
            if name in ("iban", "bic", "vat_number"):
                value = value.upper()
        old = getattr(profile, name, None)
        if created or old != value:
            changes[name] = [None if created else str(old), str(value)]
        setattr(profile, name, value)
    profile.full_clean(exclude=["cluster"])
    profile.save()
    if changes:
        audit_record(
            actor=by,
            action="billing.profile.create" if created else "billing.profile.update",
            target=profile,
            changes=changes,
        )
    return profile


def effective_vat_rate(profile: BillingProfile | None, rate: Decimal) -> Decimal:
    """Not subject to VAT: no VAT. Subject: the line's rate, else the profile's default."""
    if profile is None or not profile.vat_subject:
        return Decimal("0.00")
    return Decimal(rate) if rate else profile.default_vat_rate


# --- Charges -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CollectResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    locked: int = 0  # lines already invoiced: never changed


def _member_ids(cluster: Cluster) -> set[int]:
    return set(Membership.objects.filter(cluster=cluster).values_list("organisation_id", flat=True))


def _check_line(name: str, line: object, first_day: dt.date, last_day: dt.date) -> ChargeLine:
    if not isinstance(line, ChargeLine):
        raise ValidationError(
            _("La source de charges « %(source)s » a renvoyé autre chose qu'une ligne.")
            % {"source": name}
        )
    if not line.source_key or len(line.source_key) > 200:
        raise ValidationError(
            _("La source « %(source)s » a renvoyé une ligne sans clé (ou trop longue).")
            % {"source": name}
        )
    if not (first_day <= line.date <= last_day):
        raise ValidationError(
            _("Ligne %(key)s : la date %(date)s est hors de la période facturée.")
            % {"key": line.source_key, "date": line.date.strftime("%d/%m/%Y")}
        )
    if not line.label.strip():
        raise ValidationError(_("Ligne %(key)s : libellé vide.") % {"key": line.source_key})
    for value in (line.quantity, line.unit_price, line.amount, line.vat_rate):
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValidationError(
                _("Ligne %(key)s : les montants doivent être des décimaux exacts.")
                % {"key": line.source_key}
            )
    if line.alone_amount is not None and (
        not isinstance(line.alone_amount, Decimal)
        or line.alone_amount != line.alone_amount.quantize(CENT)
    ):
        raise ValidationError(
            _("Ligne %(key)s : le coût seul doit être un montant à deux décimales.")
            % {"key": line.source_key}
        )
    if not (0 <= line.vat_rate <= 100):
        raise ValidationError(
            _("Ligne %(key)s : taux de TVA %(rate)s hors de 0 à 100.")
            % {"key": line.source_key, "rate": line.vat_rate}
        )
    return line


def charges_collect(*, by: Actor, first_day: dt.date, last_day: dt.date) -> CollectResult:
    """Record the period's charges of every charge source in the ledger, idempotently.

    A line is upserted by its ``source_key``: a new key adds an entry; a known key whose
    entry is not invoiced yet is updated if the source changed it, and an uninvoiced
    entry of the period that its source no longer returns is removed (a cancelled
    booking); an invoiced entry is never touched. Any bad line refuses the whole
    collection, and nothing is written.
    """
    from grappe.billing.services.invoicing import _lock_sequence

    require_manager(by)
    cluster = by.cluster
    with transaction.atomic():
        _lock_sequence(cluster)  # never beside an invoice run of the same cluster
        return _collect(by, cluster, first_day, last_day)


def _collect(by: Actor, cluster: Cluster, first_day: dt.date, last_day: dt.date) -> CollectResult:
    from grappe.billing.selectors import profile_for

    profile = profile_for(cluster)
    sources = charge_sources()
    lines: dict[str, tuple[str, ChargeLine]] = {}
    for name, source in sources.items():
        for raw in source(cluster, first_day, last_day):
            line = _check_line(name, raw, first_day, last_day)
            if line.source_key in lines:
                raise ValidationError(
                    _("La clé %(key)s apparaît deux fois : chaque ligne doit être unique.")
                    % {"key": line.source_key}
                )
            lines[line.source_key] = (name, line)
    members = _member_ids(cluster)
    strangers = sorted({line.organisation_id for _n, line in lines.values()} - members)
    if strangers:
        raise ValidationError(
            _("Des charges visent des structures qui ne sont pas membres de la grappe : %s.")
            % ", ".join(str(pk) for pk in strangers)
        )
    existing: dict[str, LedgerEntry] = {}
    for keys in _chunks(list(lines)):
        for entry in LedgerEntry.objects.filter(cluster=cluster, source_key__in=keys):
            existing[entry.source_key] = entry
    new, changed, unchanged, locked = [], [], 0, 0
    for key, (name, line) in lines.items():
        values = {
            "organisation_id": line.organisation_id,
            "date": line.date,
            "category": line.category[:40],
            "label": line.label[:300],
            "quantity": line.quantity,
            "unit": line.unit[:20],
            "unit_price": line.unit_price,
            "amount": line.amount,
            "vat_rate": effective_vat_rate(profile, line.vat_rate),
            "alone_amount": line.alone_amount,
            "source": name[:40],
        }
        entry = existing.get(key)
        if entry is None:
            new.append(
                LedgerEntry(
                    cluster=cluster,
                    kind=LedgerEntry.Kind.CHARGE,
                    source_key=key,
                    created_by=by.user,
                    **values,
                )
            )
            continue
        differs = any(_differs(getattr(entry, field), value) for field, value in values.items())
        if not differs:
            unchanged += 1
        elif entry.invoice_id is not None:
            locked += 1
        else:
            for field, value in values.items():
                setattr(entry, field, value)
            changed.append(entry)
    stale = (
        LedgerEntry.objects.filter(
            cluster=cluster,
            kind=LedgerEntry.Kind.CHARGE,
            source__in=list(sources),
            invoice__isnull=True,
            date__range=(first_day, last_day),
        )
        .exclude(source_key="")
        .exclude(pk__in=[e.pk for e in existing.values()])
    )
    removed, _detail = stale.delete()
    LedgerEntry.objects.bulk_create(new, batch_size=CHUNK)
    if changed:
        LedgerEntry.objects.bulk_update(changed, list(CHARGE_FIELDS), batch_size=CHUNK)
    result = CollectResult(
        created=len(new),
        updated=len(changed),
        removed=removed,
        unchanged=unchanged,
        locked=locked,
    )
    if new or changed or removed:
        audit_record(
            actor=by,
            action="billing.collect",
            changes={
                "period": [first_day.isoformat(), last_day.isoformat()],
                "created": result.created,
                "updated": result.updated,
                "removed": result.removed,
            },
        )
    return result


def _differs(old, new) -> bool:
    if isinstance(new, Decimal) or isinstance(old, Decimal):
        if old is None or new is None:
            return old is not new
        return Decimal(old) != Decimal(new)
    return old != new


def _money(value, *, field: str, positive: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", ".").replace(" ", "").replace("\u202f", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Montant invalide : %s.") % value}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationError({field: _("Un montant a au plus deux décimales.")})
    if positive and amount <= 0:
        raise ValidationError({field: _("Le montant doit être positif.")})
    if abs(amount) >= Decimal("10000000000"):
        raise ValidationError({field: _("Montant trop grand.")})
    return amount


def _check_member(cluster: Cluster, organisation: Organisation) -> None:
    if organisation.pk not in _member_ids(cluster):
        raise ValidationError(
            {"organisation": _("%s n'est pas membre de la grappe.") % organisation.name}
        )


@transaction.atomic
def charge_create(
    *,
    by: Actor,
    organisation: Organisation,
    date: dt.date,
    label: str,
    quantity: Decimal = Decimal("1"),
    unit: str = "",
    unit_price: Decimal,
    vat_rate: Decimal | None = None,
    alone_amount: Decimal | None = None,
    category: str = "manual",
) -> LedgerEntry:
    """A charge a manager adds by hand (a correction after a credit note, a one-off service);
    invoiced with the month of its date."""
    from grappe.billing.selectors import profile_for

    require_manager(by)
    _check_member(by.cluster, organisation)
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Indiquez un libellé.")})
    if quantity is None or quantity == 0:
        raise ValidationError({"quantity": _("La quantité ne peut pas être nulle.")})
    if date > timezone.localdate() + dt.timedelta(days=366):
        raise ValidationError({"date": _("Date trop lointaine.")})
    amount = (Decimal(quantity) * Decimal(unit_price)).quantize(CENT)
    alone = None if alone_amount is None else _money(alone_amount, field="alone_amount")
    profile = profile_for(by.cluster)
    rate = effective_vat_rate(profile, vat_rate if vat_rate is not None else Decimal("0"))
    entry = LedgerEntry(
        cluster=by.cluster,
        organisation=organisation,
        date=date,
        kind=LedgerEntry.Kind.CHARGE,
        category=category[:40],
        label=label[:300],
        quantity=quantity,
        unit=(unit or "")[:20],
        unit_price=unit_price,
        amount=amount,
        vat_rate=rate,
        alone_amount=alone,
        source="manual",
        created_by=by.user,
    )
    entry.full_clean(exclude=["cluster", "organisation", "created_by", "invoice"])
    entry.save()
    audit_record(
        actor=by,
        action="billing.charge.create",
        target=entry,
        changes={"organisation": organisation.name, "amount": str(amount)},
    )
    return entry


# --- Payments ----------------------------------------------------------------------------


@transaction.atomic
def payment_record(
    *,
    by: Actor,
    organisation: Organisation,
    amount: Decimal | str,
    date: dt.date,
    method: str,
    reference: str = "",
) -> LedgerEntry:
    """A payment received from a member, allocated to its oldest open invoices."""
    require_manager(by)
    _check_member(by.cluster, organisation)
    value = _money(amount, field="amount", positive=True)
    if method not in LedgerEntry.Method.values:
        raise ValidationError({"method": _("Moyen de paiement inconnu : %s.") % method})
    if date > timezone.localdate():
        raise ValidationError({"date": _("Un paiement ne peut pas être daté dans le futur.")})
    entry = LedgerEntry.objects.create(
        cluster=by.cluster,
        organisation=organisation,
        date=date,
        kind=LedgerEntry.Kind.PAYMENT,
        category="payment",
        label=_("Paiement reçu (%(method)s)")
        % {"method": LedgerEntry.Method(method).label.lower()},
        amount=value,
        method=method,
        reference=(reference or "").strip()[:100],
        created_by=by.user,
    )
    payments_allocate(cluster=by.cluster, organisation_ids=[organisation.pk])
    audit_record(
        actor=by,
        action="billing.payment.record",
        target=entry,
        changes={"organisation": organisation.name, "amount": str(value), "method": method},
    )
    return entry


def payments_allocate(*, cluster: Cluster, organisation_ids=None) -> int:
    """Settle open invoices with the unallocated part of payments, oldest first.

    Called inside the caller's transaction after a payment, an invoice run or a credit
    note. Returns the number of allocations written.
    """
    # Lock the open invoices first: two payments of one firm recorded at the same time
    # queue here, and the second sees what the first allocated.
    open_invoices = Invoice.objects.select_for_update().filter(
        cluster=cluster, kind=Invoice.Kind.INVOICE, status=Invoice.Status.OPEN
    )
    if organisation_ids is not None:
        open_invoices = open_invoices.filter(organisation_id__in=list(organisation_ids))
    open_invoices = list(open_invoices.order_by("issue_date", "sequence"))
    if not open_invoices:
        return 0
    payments = (
        LedgerEntry.objects.filter(cluster=cluster, kind=LedgerEntry.Kind.PAYMENT)
        .annotate(
            used=Coalesce(
                Sum("allocations__amount"),
                Value(ZERO),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            )
        )
        .filter(amount__gt=F("used"))
        .order_by("organisation_id", "date", "id")
    )
    if organisation_ids is not None:
        payments = payments.filter(organisation_id__in=list(organisation_ids))
    available: dict[int, list[list]] = defaultdict(list)
    for payment in payments:
        # SQLite sums decimals approximately: back to exact cents.
        left = (payment.amount - Decimal(payment.used)).quantize(CENT)
        if left > 0:
            available[payment.organisation_id].append([payment, left])
    if not available:
        return 0
    allocations, touched = [], []
    for invoice in open_invoices:
        if invoice.organisation_id not in available:
            continue
        queue = available[invoice.organisation_id]
        due = invoice.total_ttc - invoice.paid_amount
        if due <= 0 or not queue:
            continue
        while due > 0 and queue:
            payment, left = queue[0]
            part = min(due, left)
            allocations.append(PaymentAllocation(payment=payment, invoice=invoice, amount=part))
            due -= part
            invoice.paid_amount += part
            queue[0][1] = left - part
            if queue[0][1] == 0:
                queue.pop(0)
        if due == 0:
            invoice.status = Invoice.Status.PAID
        touched.append(invoice)
    PaymentAllocation.objects.bulk_create(_merge(allocations), batch_size=CHUNK)
    Invoice.objects.bulk_update(touched, ["paid_amount", "status"], batch_size=CHUNK)
    return len(allocations)


def _merge(allocations: list[PaymentAllocation]) -> list[PaymentAllocation]:
    """One row per (payment, invoice): an invoice partly settled earlier by the same
    payment gets its existing row increased instead."""
    merged: dict[tuple[int, int], PaymentAllocation] = {}
    for allocation in allocations:
        key = (allocation.payment_id, allocation.invoice_id)
        if key in merged:
            merged[key].amount += allocation.amount
        else:
            merged[key] = allocation
    rows = list(merged.values())
    existing = {
        (a.payment_id, a.invoice_id): a
        for a in PaymentAllocation.objects.filter(
            Q(payment_id__in=[r.payment_id for r in rows])
            & Q(invoice_id__in=[r.invoice_id for r in rows])
        )
    }
    fresh = []
    for row in rows:
        old = existing.get((row.payment_id, row.invoice_id))
        if old is None:
            fresh.append(row)
        else:
            PaymentAllocation.objects.filter(pk=old.pk).update(amount=old.amount + row.amount)
    return fresh

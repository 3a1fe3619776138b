"""Writes of the calls app: manual calls, merges, sources, alert preferences, saved
searches and applications. Each runs in a transaction; manager actions are audited."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.calls import permissions
from grappe.calls.importers import catalogue_changed, documents, fingerprint
from grappe.calls.models import (
    AlertPreference,
    Application,
    ApplicationDocument,
    ApplicationTask,
    Call,
    CallMatch,
    CallSource,
    DuplicateDismissal,
    Participant,
    SavedSearch,
)
from grappe.core.access import Actor
from grappe.core.files import validate_upload
from grappe.core.services import audit_record
from grappe.engine import aides_territoires as at
from grappe.engine.allocation import AllocationError, allocate
from grappe.engine.matching import Perimeter
from grappe.members.models import Membership, Organisation

CENT = Decimal("0.01")


def _require_manager(by: Actor) -> None:
    if not by.is_manager:
        raise PermissionDenied


def _money(value, label: str, *, required: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            return Decimal("0.00")
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(_("%s : montant invalide.") % label) from None
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:
        raise ValidationError(_("%s : un montant positif en euros et centimes.") % label)
    if amount >= Decimal("1e12"):
        raise ValidationError(_("%s : montant trop élevé.") % label)
    return amount.quantize(CENT)


# --- Manual calls ------------------------------------------------------------------------


def perimeter_for(code: str) -> Perimeter:
    """A territory choice of the manual form: "com:75118", "dep:75", "reg:11", "fr", "eu"."""
    kind, _sep, value = (code or "").partition(":")
    try:
        if kind == "com":
            from grappe.territory.models import Commune

            commune = Commune.objects.filter(code=value).first()
            if commune is None:
                raise ValueError(value)
            return Perimeter.commune(commune.code, commune.name)
        if kind == "dep":
            return Perimeter.department(value)
        if kind == "reg":
            return Perimeter.region(value)
        if code == "fr":
            return Perimeter.france()
        if code == "eu":
            return Perimeter.europe()
    except ValueError:
        pass
    raise ValidationError({"perimeter": _("Territoire inconnu : %s.") % code})


PERIMETER_LABEL = {
    "commune": "{name} (Commune)",
    "department": "{name} (Département)",
    "region": "{name} (Région)",
    "country": "{name}",
    "continent": "{name}",
}


def perimeter_code(call: Call) -> str:
    """The manual form's territory choice a call was entered with (see ``perimeter_for``)."""
    keys = call.perimeter_keys.split()
    return keys[0] if len(keys) == 1 else ""


def _manual_fields(
    *,
    name: str,
    perimeter: str,
    description: str = "",
    eligibility: str = "",
    financers: Sequence[str] = (),
    targeted_audiences: Sequence[str] = (),
    aid_types: Sequence[str] = (),
    categories: Sequence[str] = (),
    start_date: dt.date | None = None,
    submission_deadline: dt.date | None = None,
    recurrence: str = "",
    max_amount: Decimal | None = None,
    subvention_rate_upper_bound: int | None = None,
    origin_url: str = "",
    application_url: str = "",
    is_public: bool = True,
) -> dict:
    """The stored fields of a manual call, checked; raises ValidationError."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Donnez un intitulé.")})
    bad = [a for a in targeted_audiences if a not in at.TARGETED_AUDIENCES]
    bad += [t for t in aid_types if t not in at.AID_TYPES]
    if bad:
        raise ValidationError(_("Valeurs inconnues : %s.") % ", ".join(bad))
    if recurrence and recurrence not in at.RECURRENCES:
        raise ValidationError({"recurrence": _("Récurrence inconnue.")})
    if start_date and submission_deadline and submission_deadline < start_date:
        raise ValidationError(
            {"submission_deadline": _("La date limite précède la date d'ouverture.")}
        )
    place = perimeter_for(perimeter)
    fields = {
        "name": name[:400],
        "description": description.strip(),
        "eligibility": eligibility.strip(),
        "financers": [f.strip() for f in financers if f.strip()],
        "programs": [],
        "targeted_audiences": list(dict.fromkeys(targeted_audiences)),
        "aid_types": list(dict.fromkeys(aid_types)),
        "categories": [c.strip() for c in categories if c.strip()],
        "perimeter_label": PERIMETER_LABEL.get(place.scale, "{name}").format(name=place.name),
        "perimeter_scale": place.scale,
        "perimeter_name": place.name,
        "perimeter_keys": " " + " ".join(sorted(place.keys)) + " ",
        "start_date": start_date,
        "submission_deadline": submission_deadline,
        "recurrence": recurrence,
        "max_amount": _money(max_amount, _("Montant maximum"), required=False),
        "subvention_rate_upper_bound": subvention_rate_upper_bound,
        "origin_url": origin_url,
        "application_url": application_url,
        "is_public": is_public,
        "licence": "",
    }
    fields.update(documents(fields))
    return fields


def _store_manual(call: Call, fields: dict) -> None:
    for name, value in fields.items():
        setattr(call, name, value)
    raw = {k: v for k, v in fields.items() if k not in ("search_document",)}
    call.raw = {k: (str(v) if v is not None else None) for k, v in raw.items()}
    call.fingerprint = fingerprint(call.raw)
    call.full_clean(exclude=["search_document", "name_document", "facets", "perimeter_keys"])
    call.save()


@transaction.atomic
def call_create_manual(*, by: Actor, **values) -> Call:
    """A call entered by a manager: public, or private to the manager's cluster. ``values``
    are the fields of ``_manual_fields``."""
    _require_manager(by)
    fields = _manual_fields(**values)
    call = Call(source=Call.Source.MANUAL, source_id=uuid.uuid4().hex, owner_cluster=by.cluster)
    _store_manual(call, fields)
    audit_record(actor=by, action="call.create", target=call, changes={"public": call.is_public})
    catalogue_changed()
    return call


def _require_own_manual_call(by: Actor, call: Call) -> None:
    """Only the managers of the cluster that entered a manual call change it; an imported
    call changes at its source."""
    _require_manager(by)
    if call.source != Call.Source.MANUAL or call.owner_cluster_id != by.cluster.pk:
        raise PermissionDenied


@transaction.atomic
def call_update_manual(*, by: Actor, call: Call, **values) -> Call:
    """Correct a manual call (a wrong deadline, a new link). Its matches are recomputed."""
    _require_own_manual_call(by, call)
    call = Call.objects.select_for_update().get(pk=call.pk)
    before = {"name": call.name, "deadline": str(call.submission_deadline)}
    fields = _manual_fields(**values)
    if (
        call.is_public
        and not fields["is_public"]
        and Application.objects.filter(call=call).exclude(cluster=by.cluster).exists()
    ):
        raise ValidationError(
            {
                "is_public": _(
                    "D'autres grappes ont des candidatures sur cet appel : il reste public."
                )
            }
        )
    _store_manual(call, fields)
    after = {"name": call.name, "deadline": str(call.submission_deadline)}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    audit_record(actor=by, action="call.update", target=call, changes=changes)
    catalogue_changed()
    return call


@transaction.atomic
def call_set_live(*, by: Actor, call: Call, live: bool) -> Call:
    """Withdraw a manual call from the catalogue (cancelled, entered by mistake) or put it
    back. A withdrawn call leaves searches, matches and alerts; applications keep it."""
    _require_own_manual_call(by, call)
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.is_live == live:
        return call
    call.is_live = live
    call.save(update_fields=["is_live", "updated_at"])
    if not live:
        CallMatch.objects.filter(call=call).delete()
    audit_record(
        actor=by, action="call.publish" if live else "call.withdraw", target=call, changes={}
    )
    catalogue_changed()
    return call


@transaction.atomic
def call_merge(*, by: Actor, keep: Call, duplicate: Call) -> Call:
    """Merge a near-duplicate into the call kept: the duplicate disappears from lists,
    its applications move to the call kept, its matches go."""
    _require_manager(by)
    if keep.pk == duplicate.pk:
        raise ValidationError(_("Un appel ne se fusionne pas avec lui-même."))
    for call in (keep, duplicate):
        if not permissions.can_see_call(by, call) or call.merged_into_id:
            raise ValidationError(_("Cet appel n'est plus disponible pour une fusion."))
    Call.objects.filter(merged_into=duplicate).update(merged_into=keep)
    duplicate.merged_into = keep
    duplicate.save(update_fields=["merged_into", "updated_at"])
    moved = Application.objects.filter(call=duplicate).update(call=keep)
    CallMatch.objects.filter(call=duplicate).delete()
    audit_record(
        actor=by,
        action="call.merge",
        target=keep,
        changes={"merged": duplicate.pk, "title": duplicate.name, "applications": moved},
    )
    catalogue_changed()
    return keep


@transaction.atomic
def duplicate_dismiss(*, by: Actor, first: Call, second: Call) -> None:
    _require_manager(by)
    low, high = sorted((first.pk, second.pk))
    DuplicateDismissal.objects.get_or_create(first_id=low, second_id=high)
    audit_record(actor=by, action="call.duplicate.dismiss", changes={"calls": [low, high]})


# --- Sources -----------------------------------------------------------------------------


@transaction.atomic
def source_create(
    *, by: Actor, name: str, url: str, format: str, default_perimeter: str = ""
) -> CallSource:
    _require_manager(by)
    if format not in CallSource.Format.values:
        raise ValidationError({"format": _("Format inconnu.")})
    if default_perimeter and format == CallSource.Format.RSS:
        at.parse_perimeter(default_perimeter)
    if CallSource.objects.filter(cluster=by.cluster, url=url).exists():
        raise ValidationError({"url": _("Cette source est déjà enregistrée.")})
    source = CallSource(
        cluster=by.cluster,
        name=name.strip(),
        url=url.strip(),
        format=format,
        default_perimeter=default_perimeter.strip(),
    )
    source.full_clean()
    source.save()
    audit_record(actor=by, action="call_source.create", target=source, changes={"url": url})
    return source


@transaction.atomic
def source_delete(*, by: Actor, source: CallSource) -> None:
    _require_manager(by)
    if source.cluster_id != by.cluster.pk:
        raise PermissionDenied
    audit_record(actor=by, action="call_source.delete", target=source)
    source.delete()


def source_run(*, source: CallSource) -> str:
    """Re-read a source (job): the import and its outcome on the source."""
    from grappe.calls.importers import CallsImportError, calls_import

    try:
        result = calls_import(
            location=source.url,
            fmt=source.format,
            source=source,
            default_perimeter=source.default_perimeter,
        )
        status, message = "ok", result.summary()
    except CallsImportError as exc:
        status, message = "error", "\n".join(exc.errors)
    CallSource.objects.filter(pk=source.pk).update(
        last_run_at=timezone.now(), last_status=status, last_message=message[:5000]
    )
    with transaction.atomic():
        audit_record(
            actor=Actor.system(source.cluster),
            action="call_source.run",
            target=source,
            changes={"status": status, "message": message[:300]},
        )
    return message


# --- Alerts ------------------------------------------------------------------------------


def _require_person(by: Actor) -> None:
    if by.user is None or not by.is_insider:
        raise PermissionDenied


@transaction.atomic
def alert_preference_save(
    *,
    by: Actor,
    matched_calls: bool,
    threshold: int,
    frequency: str,
    is_active: bool = True,
) -> AlertPreference:
    _require_person(by)
    if frequency not in AlertPreference.Frequency.values:
        raise ValidationError({"frequency": _("Fréquence inconnue.")})
    if not 0 <= int(threshold) <= 100:
        raise ValidationError({"threshold": _("Le score minimum va de 0 à 100 %.")})
    preference, _created = AlertPreference.objects.update_or_create(
        user=by.user,
        cluster=by.cluster,
        defaults={
            "matched_calls": matched_calls,
            "threshold": int(threshold),
            "frequency": frequency,
            "is_active": is_active,
        },
    )
    return preference


SEARCH_FILTERS = ("open", "deadline_before", "audience", "aid_type", "theme", "territory")


@transaction.atomic
def saved_search_create(*, by: Actor, name: str, query: str, filters: dict) -> SavedSearch:
    _require_person(by)
    name = " ".join((name or "").split()) or (query or _("Ma recherche"))
    clean = {k: str(v)[:60] for k, v in (filters or {}).items() if k in SEARCH_FILTERS and v}
    if not (query or "").strip() and not clean:
        raise ValidationError(_("Une recherche vide enverrait tous les appels : précisez-la."))
    if SavedSearch.objects.filter(user=by.user, cluster=by.cluster).count() >= 20:
        raise ValidationError(_("Vingt recherches enregistrées au plus."))
    search = SavedSearch(
        user=by.user, cluster=by.cluster, name=name[:120], query=query[:200], filters=clean
    )
    search.full_clean()
    search.save()
    return search


@transaction.atomic
def saved_search_delete(*, by: Actor, search: SavedSearch) -> None:
    if by.user is None or search.user_id != by.user.pk or search.cluster_id != by.cluster.pk:
        raise PermissionDenied
    search.delete()


# --- Applications ------------------------------------------------------------------------

STATUS_FLOW = {
    Application.Status.DRAFT: {Application.Status.SUBMITTED},
    Application.Status.SUBMITTED: {
        Application.Status.DRAFT,
        Application.Status.OBTAINED,
        Application.Status.REFUSED,
    },
    Application.Status.OBTAINED: {Application.Status.PAID, Application.Status.SUBMITTED},
    Application.Status.REFUSED: {Application.Status.SUBMITTED},
    Application.Status.PAID: {Application.Status.OBTAINED},
}


def _members(by: Actor, organisations: Sequence[Organisation]) -> None:
    ids = {o.pk for o in organisations}
    members = set(
        Membership.objects.filter(
            cluster=by.cluster,
            organisation_id__in=ids,
            status__in=(Membership.Status.ACTIVE, Membership.Status.LAPSED),
        ).values_list("organisation_id", flat=True)
    )
    outside = [o.name for o in organisations if o.pk not in members]
    if outside:
        raise ValidationError(
            _("Ces structures ne sont pas membres de la grappe : %s.") % ", ".join(outside)
        )


def _split(application: Application) -> None:
    """Each participant's share of the budget, cent-exact (the shares add up to it)."""
    participants = list(application.participants.all())
    if not participants:
        return
    weights = {p.pk: p.weight for p in participants}
    try:
        shares = allocate(application.budget_total, weights)
    except AllocationError as exc:
        message = _(exc.template) % exc.params if exc.params else _(exc.template)
        raise ValidationError(message) from None
    for participant in participants:
        participant.budget_share = shares[participant.pk]
    Participant.objects.bulk_update(participants, ["budget_share"])


@transaction.atomic
def application_create(
    *,
    by: Actor,
    call: Call,
    title: str,
    participants: Sequence[tuple[Organisation, str, Decimal]],
    kind: str = Application.Kind.COLLECTIVE,
    summary: str = "",
    budget_total=Decimal("0.00"),
    requested_amount=Decimal("0.00"),
    co_financing=Decimal("0.00"),
) -> Application:
    """Open an application: collective (a manager, for two members or more) or individual
    (a firm's people for their firm, or a manager for one member)."""
    if kind not in Application.Kind.values:
        raise ValidationError(_("Type de candidature inconnu."))
    if not permissions.can_see_call(by, call) or call.merged_into_id or not call.is_live:
        raise ValidationError(_("Cet appel n'est pas disponible."))
    orgs = [org for org, _role, _weight in participants]
    if len({o.pk for o in orgs}) != len(orgs):
        raise ValidationError(_("Une structure figure deux fois parmi les participants."))
    if kind == Application.Kind.COLLECTIVE:
        _require_manager(by)
        if len(orgs) < 2:
            raise ValidationError(
                _("Une candidature collective réunit au moins deux structures membres.")
            )
    else:
        if len(orgs) != 1:
            raise ValidationError(_("Une candidature individuelle a une seule structure."))
        if not (by.is_manager or by.acts_for(orgs[0].pk)):
            raise PermissionDenied
    _members(by, orgs)
    roles = [role for _org, role, _weight in participants]
    if any(r not in Participant.Role.values for r in roles):
        raise ValidationError(_("Rôle inconnu."))
    if kind == Application.Kind.INDIVIDUAL:
        roles = [Participant.Role.LEAD]
    if roles.count(Participant.Role.LEAD) != 1:
        raise ValidationError(_("Désignez un seul chef de file."))
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Donnez un intitulé au projet.")})
    application = Application(
        cluster=by.cluster,
        call=call,
        kind=kind,
        title=title[:300],
        summary=summary.strip(),
        deadline=call.submission_deadline,
        budget_total=_money(budget_total, _("Budget total")),
        requested_amount=_money(requested_amount, _("Montant demandé")),
        co_financing=_money(co_financing, _("Cofinancements")),
        created_by=by.user,
    )
    application.full_clean()
    application.save()
    rows = []
    for (org, _role, weight), role in zip(participants, roles, strict=True):
        rows.append(
            Participant(
                application=application,
                organisation=org,
                role=role,
                weight=_weight(weight),
            )
        )
    Participant.objects.bulk_create(rows)
    _split(application)
    audit_record(
        actor=by,
        action="application.create",
        target=application,
        changes={"kind": kind, "call": call.pk, "participants": [o.pk for o in orgs]},
    )
    return application


def _weight(value) -> Decimal:
    try:
        weight = Decimal(str(value if value not in (None, "") else "1"))
    except InvalidOperation:
        raise ValidationError(_("Clé de répartition invalide.")) from None
    if not weight.is_finite() or weight < 0 or weight >= Decimal("1e8"):
        raise ValidationError(_("Une clé de répartition est un nombre positif."))
    return weight.quantize(CENT)


def _require_edit(by: Actor, application: Application) -> None:
    if not permissions.can_edit_application(by, application):
        raise PermissionDenied


@transaction.atomic
def application_update_budget(
    *,
    by: Actor,
    application: Application,
    budget_total,
    requested_amount,
    co_financing,
    weights: dict[int, Decimal] | None = None,
    turnovers: dict[int, Decimal | None] | None = None,
) -> Application:
    """Budget, co-financing, each participant's key and turnover; the split is redone."""
    _require_edit(by, application)
    application = Application.objects.select_for_update().get(pk=application.pk)
    before = [str(application.budget_total), str(application.requested_amount)]
    application.budget_total = _money(budget_total, _("Budget total"))
    application.requested_amount = _money(requested_amount, _("Montant demandé"))
    application.co_financing = _money(co_financing, _("Cofinancements"))
    application.save()
    participants = {p.pk: p for p in application.participants.all()}
    for pk, weight in (weights or {}).items():
        if pk in participants:
            participants[pk].weight = _weight(weight)
    for pk, turnover in (turnovers or {}).items():
        if pk in participants:
            participants[pk].turnover = _money(turnover, _("Chiffre d'affaires"), required=False)
    Participant.objects.bulk_update(list(participants.values()), ["weight", "turnover"])
    _split(application)
    audit_record(
        actor=by,
        action="application.budget",
        target=application,
        changes={
            "budget": [before, [str(application.budget_total), str(application.requested_amount)]]
        },
    )
    return application


@transaction.atomic
def application_set_status(
    *,
    by: Actor,
    application: Application,
    status: str,
    on: dt.date | None = None,
    amount=None,
) -> Application:
    """Move along draft → submitted → obtained/refused → paid, with the date and amount."""
    _require_edit(by, application)
    application = Application.objects.select_for_update().get(pk=application.pk)
    old = application.status
    if status not in Application.Status.values:
        raise ValidationError(_("Statut inconnu : %s.") % status)
    if status != old and status not in STATUS_FLOW[old]:
        raise ValidationError(
            _("Impossible de passer de « %(old)s » à « %(new)s ».")
            % {
                "old": Application.Status(old).label,
                "new": Application.Status(status).label,
            }
        )
    on = on or timezone.localdate()
    amount = _money(amount, _("Montant"), required=False)
    if status == Application.Status.SUBMITTED:
        application.submitted_on = application.submitted_on or on
        application.decided_on = None
    elif status == Application.Status.OBTAINED:
        if amount is None and application.obtained_amount is None:
            raise ValidationError({"amount": _("Indiquez le montant obtenu.")})
        application.obtained_amount = amount if amount is not None else application.obtained_amount
        application.decided_on = on
    elif status == Application.Status.REFUSED:
        application.decided_on = on
        application.obtained_amount = None
    elif status == Application.Status.PAID:
        paid = amount if amount is not None else application.obtained_amount
        if paid is None:
            raise ValidationError({"amount": _("Indiquez le montant versé.")})
        application.paid_amount = paid
        application.paid_on = on
    application.status = status
    application.save()
    audit_record(
        actor=by,
        action="application.status",
        target=application,
        changes={"status": [old, status], "on": str(on), "amount": str(amount)},
    )
    return application


@transaction.atomic
def application_document_add(
    *, by: Actor, application: Application, title: str, upload: UploadedFile
) -> ApplicationDocument:
    if not permissions.can_contribute(by, application):
        raise PermissionDenied
    validate_upload(upload)
    document = ApplicationDocument(
        application=application,
        title=(title or upload.name or "")[:200].strip() or _("Document"),
        uploaded_by=by.user,
    )
    document.file.save(upload.name, upload, save=False)
    document.save()
    audit_record(
        actor=by,
        action="application.document",
        target=application,
        changes={"title": document.title},
    )
    return document


@transaction.atomic
def application_task_add(
    *,
    by: Actor,
    application: Application,
    title: str,
    due_on: dt.date | None = None,
    organisation: Organisation | None = None,
) -> ApplicationTask:
    _require_edit(by, application)
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Décrivez la tâche.")})
    if organisation is not None and organisation.pk not in permissions.participant_ids(application):
        raise ValidationError(_("La tâche est confiée à une structure de la candidature."))
    task = ApplicationTask.objects.create(
        application=application, title=title[:200], due_on=due_on, organisation=organisation
    )
    audit_record(
        actor=by, action="application.task", target=application, changes={"task": task.title}
    )
    return task


@transaction.atomic
def application_task_toggle(*, by: Actor, task: ApplicationTask) -> ApplicationTask:
    if not permissions.can_contribute(by, task.application):
        raise PermissionDenied
    task.done_at = None if task.done_at else timezone.now()
    task.save(update_fields=["done_at"])
    return task


# --- People's data -----------------------------------------------------------------------


def personal_data_erase(user) -> None:
    AlertPreference.objects.filter(user=user).delete()
    SavedSearch.objects.filter(user=user).delete()

"""Writes on pooled studies and group purchases.

A study is proposed (by a manager, or a member for its firm), firms pledge until the
deadline, and then it goes ahead only if the minimum number of firms pledged: the
daily job (`study_close_due`) or a manager decides. Nobody is billed for a cancelled
study. Once it goes ahead, a late firm may buy in at the stated late price.
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.core.access import Actor
from grappe.core.emails import absolute_url, send_email_on_commit
from grappe.core.files import validate_upload
from grappe.core.services import audit_record
from grappe.members.models import Organisation
from grappe.pooling import permissions
from grappe.pooling.models import Pledge, Study, StudyDocument

STUDY_FIELDS = (
    "kind",
    "title",
    "description",
    "total_price",
    "vat_rate",
    "min_participants",
    "pledge_deadline",
    "late_price",
    "alone_price",
)
RESULT_TYPES = (".pdf", ".xlsx", ".csv", ".odt", ".docx", ".png", ".jpg", ".jpeg")


def _require_manager(by: Actor, cluster_id: int) -> None:
    if not by.is_manager or cluster_id != by.cluster.pk:
        raise PermissionDenied


def _clean_study(study: Study, today: dt.date) -> None:
    study.full_clean(exclude=["cluster", "proposed_by", "proposed_for"])
    if study.pledge_deadline < today:
        raise ValidationError({"pledge_deadline": _("La date limite est déjà passée.")})


@transaction.atomic
def study_create(
    *,
    by: Actor,
    organisation: Organisation | None = None,
    today: dt.date | None = None,
    **data,
) -> Study:
    """A manager proposes a study; a member proposes one for its firm."""
    if organisation is not None:
        if not by.acts_for(organisation.pk) and not (
            by.is_manager and permissions.is_cluster_member(by.cluster, organisation.pk)
        ):
            raise PermissionDenied
    elif not by.is_manager:
        raise PermissionDenied
    study = Study(
        cluster=by.cluster,
        proposed_by=by.user,
        proposed_for=organisation,
        **{k: v for k, v in data.items() if k in STUDY_FIELDS},
    )
    _clean_study(study, today or timezone.localdate())
    study.save()
    audit_record(
        actor=by,
        action="study.create",
        target=study,
        changes={"total_price": str(study.total_price), "min": study.min_participants},
    )
    return study


@transaction.atomic
def study_update(*, study: Study, by: Actor, today: dt.date | None = None, **data) -> Study:
    _require_manager(by, study.cluster_id)
    study = Study.objects.select_for_update().get(pk=study.pk)
    if not study.is_open:
        raise ValidationError(_("Seule une étude ouverte aux engagements se modifie."))
    changes = {}
    for name, value in data.items():
        if name not in STUDY_FIELDS:
            raise ValueError(f"not a study field: {name}")
        if getattr(study, name) != value:
            changes[name] = [str(getattr(study, name)), str(value)]
            setattr(study, name, value)
    _clean_study(study, today or timezone.localdate())
    study.save()
    if changes:
        audit_record(actor=by, action="study.update", target=study, changes=changes)
    return study


@transaction.atomic
def pledge_add(
    *, study: Study, organisation: Organisation, by: Actor, today: dt.date | None = None
) -> Pledge:
    """Pledge a firm: on time while the study is open, at the late price once it goes ahead."""
    if study.cluster_id != by.cluster.pk or not permissions.can_act_for(by, organisation.pk):
        raise PermissionDenied
    study = Study.objects.select_for_update().get(pk=study.pk)
    today = today or timezone.localdate()
    late_price = None
    if study.is_open:
        if today > study.pledge_deadline:
            raise ValidationError(
                _("La date limite d'engagement est passée ; la décision est en cours.")
            )
    elif study.goes_ahead:
        if study.late_price is None:
            raise ValidationError(_("Cette étude n'accepte plus de nouveaux participants."))
        late_price = study.late_price
    else:
        raise ValidationError(_("Cette étude est annulée."))
    try:
        with transaction.atomic():
            pledge = Pledge.objects.create(
                study=study,
                organisation=organisation,
                pledged_by=by.user,
                is_late=late_price is not None,
                late_price=late_price,
            )
    except IntegrityError:
        raise ValidationError(_("Votre structure est déjà engagée.")) from None
    if not by.acts_for(organisation.pk):
        audit_record(
            actor=by,
            action="study.pledge",
            target=study,
            changes={"organisation": organisation.name},
        )
    return pledge


@transaction.atomic
def pledge_withdraw(*, pledge: Pledge, by: Actor, today: dt.date | None = None) -> None:
    study = Study.objects.select_for_update().get(pk=pledge.study_id)
    if study.cluster_id != by.cluster.pk or not (
        by.is_manager or by.acts_for(pledge.organisation_id)
    ):
        raise PermissionDenied
    if not study.is_open or (today or timezone.localdate()) > study.pledge_deadline:
        raise ValidationError(_("L'engagement ne peut plus être retiré après la date limite."))
    if not by.acts_for(pledge.organisation_id):
        audit_record(
            actor=by,
            action="study.pledge_withdraw",
            target=study,
            changes={"organisation": pledge.organisation.name},
        )
    pledge.delete()


def _tell_pledgers(study: Study) -> None:
    from grappe.pooling.selectors.studies import study_shares

    shares = study_shares(study) if study.goes_ahead else {}
    url = absolute_url(
        reverse("pooling:study-detail", kwargs={"cluster_slug": study.cluster.slug, "pk": study.pk})
    )
    pledges = list(study.pledges.select_related("pledged_by"))
    for pledge in pledges:
        if pledge.pledged_by is None or not pledge.pledged_by.email:
            continue
        send_email_on_commit(
            to=pledge.pledged_by.email,
            subject=(_("« %s » se fait") if study.goes_ahead else _("« %s » est annulée"))
            % study.title,
            template="pooling/email/study_decided",
            context={
                "study": study,
                "count": len(pledges),
                "share": shares.get(pledge.organisation_id),
                "url": url,
                "cluster": study.cluster,
            },
        )


@transaction.atomic
def study_decide(*, study: Study, by: Actor, today: dt.date | None = None) -> Study:
    """At the deadline: confirm if enough firms pledged, else cancel (nobody is billed).

    Before the deadline a manager may confirm a study that already has its minimum."""
    _require_manager(by, study.cluster_id)
    study = Study.objects.select_for_update().get(pk=study.pk)
    if not study.is_open:
        raise ValidationError(_("Cette étude est déjà décidée."))
    today = today or timezone.localdate()
    count = study.pledges.count()
    enough = count >= study.min_participants
    if today <= study.pledge_deadline and not enough:
        raise ValidationError(
            _(
                "Pas encore assez d'engagements (%(count)s sur %(min)s) : attendez la date "
                "limite ou annulez l'étude."
            )
            % {"count": count, "min": study.min_participants}
        )
    study.status = Study.Status.CONFIRMED if enough else Study.Status.CANCELLED
    study.decided_at = timezone.now()
    study.decision_note = (
        _("%(count)s engagements sur %(min)s requis.")
        % {"count": count, "min": study.min_participants}
    )[:300]
    study.save(update_fields=["status", "decided_at", "decision_note", "updated_at"])
    audit_record(
        actor=by,
        action="study.confirm" if enough else "study.cancel",
        target=study,
        changes={"pledges": count, "min": study.min_participants},
    )
    _tell_pledgers(study)
    return study


@transaction.atomic
def study_cancel(*, study: Study, by: Actor, reason: str = "") -> Study:
    _require_manager(by, study.cluster_id)
    study = Study.objects.select_for_update().get(pk=study.pk)
    if not study.is_open:
        raise ValidationError(_("Seule une étude ouverte aux engagements s'annule."))
    study.status = Study.Status.CANCELLED
    study.decided_at = timezone.now()
    study.decision_note = reason.strip()[:300]
    study.save(update_fields=["status", "decided_at", "decision_note", "updated_at"])
    audit_record(actor=by, action="study.cancel", target=study, changes={"reason": reason})
    _tell_pledgers(study)
    return study


@transaction.atomic
def study_deliver(*, study: Study, by: Actor) -> Study:
    _require_manager(by, study.cluster_id)
    study = Study.objects.select_for_update().get(pk=study.pk)
    if study.status != Study.Status.CONFIRMED:
        raise ValidationError(_("Seule une étude confirmée peut être livrée."))
    study.status = Study.Status.DELIVERED
    study.save(update_fields=["status", "updated_at"])
    audit_record(actor=by, action="study.deliver", target=study)
    return study


@transaction.atomic
def study_document_add(*, study: Study, by: Actor, upload: UploadedFile) -> StudyDocument:
    """A result file, in private storage: participants and managers only."""
    _require_manager(by, study.cluster_id)
    if not study.goes_ahead:
        raise ValidationError(_("Les résultats se déposent sur une étude confirmée."))
    validate_upload(upload, allowed=RESULT_TYPES)
    name = PurePath(upload.name or "resultats").name[:200]
    document = StudyDocument(study=study, name=name, size=upload.size, uploaded_by=by.user)
    document.file.save(name, upload, save=False)
    document.save()
    audit_record(actor=by, action="study.document", target=study, changes={"file": name})
    return document


def study_close_due(*, cluster, today: dt.date | None = None) -> list[Study]:
    """Daily job: decide every open study whose deadline has passed."""
    today = today or timezone.localdate()
    system = Actor.system(cluster)
    decided = []
    for study in Study.objects.filter(
        cluster=cluster, status=Study.Status.OPEN, pledge_deadline__lt=today
    ):
        decided.append(study_decide(study=study, by=system, today=today))
    return decided

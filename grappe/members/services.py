"""Writes of the members app: organisations, memberships, people, needs and offers,
join requests, invitations and prospects. Each runs in a transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from grappe.core.access import Actor
from grappe.core.emails import absolute_url, send_email_on_commit
from grappe.core.models import ClusterRole, User
from grappe.core.services import audit_record, role_grant, user_get_or_create
from grappe.engine import identifiers
from grappe.engine.text import search_document, strip_accents
from grappe.members.models import (
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
    Person,
    Post,
    Prospect,
    Tag,
)

ORGANISATION_FIELDS = (
    "name",
    "siren",
    "siret",
    "rna",
    "legal_form",
    "naf_code",
    "naf_nomenclature",
    "size_band",
    "address",
    "postcode",
    "commune_id",
    "latitude",
    "longitude",
    "website",
    "email",
    "phone",
    "description",
    "skills",
)


def directory_changed(cluster_ids) -> None:
    """After commit, bump the directory version of these clusters (cached facets)."""
    from django.core.cache import cache

    from grappe.members.selectors import directory_version_key

    def bump():
        for cluster_id in set(cluster_ids):
            key = directory_version_key(cluster_id)
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=None)

    transaction.on_commit(bump)


def parse_identifier(value: str) -> dict[str, str]:
    """SIRET, SIREN or RNA number → the organisation's identifier fields."""
    raw = (value or "").strip().upper()
    if raw.startswith("W"):
        if not identifiers.is_valid_rna(raw):
            raise ValidationError(
                _("« %s » n'est pas un numéro RNA valide (W suivi de 9 chiffres).") % value
            )
        return {"rna": raw}
    digits = identifiers.clean_digits(raw)
    if len(digits) == 14:
        if not identifiers.is_valid_siret(digits):
            raise ValidationError(_("« %s » n'est pas un SIRET valide (clé de contrôle).") % value)
        return {"siret": digits, "siren": digits[:9]}
    if len(digits) == 9:
        if not identifiers.is_valid_siren(digits):
            raise ValidationError(_("« %s » n'est pas un SIREN valide (clé de contrôle).") % value)
        return {"siren": digits}
    raise ValidationError(
        _("« %s » : indiquez un SIRET (14 chiffres), un SIREN (9 chiffres) ou un numéro RNA.")
        % value
    )


def organisation_find(*, siret: str = "", siren: str = "", rna: str = "") -> Organisation | None:
    """The organisation an identifier designates, if it exists on the instance."""
    if siret:
        org = Organisation.objects.filter(siret=siret).first()
        if org:
            return org
        # A firm known by its SIREN alone is the same firm.
        return Organisation.objects.filter(siren=siret[:9], siret="").first()
    if siren:
        matches = list(Organisation.objects.filter(siren=siren)[:2])
        if len(matches) > 1:
            raise ValidationError(
                _("Plusieurs établissements ont le SIREN %s : précisez le SIRET.") % siren
            )
        return matches[0] if matches else None
    if rna:
        return Organisation.objects.filter(rna=rna).first()
    return None


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(strip_accents(name))[:70] or "organisation"
    slug, n = base, 2
    qs = Organisation.objects.all()
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    while qs.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _refresh_search(org: Organisation, tag_names: Iterable[str]) -> None:
    from grappe.territory.codes import naf_label

    commune = org.commune.name if org.commune_id and org.commune else ""
    org.name_document = search_document(org.name)
    org.search_document = search_document(
        org.name, org.description, org.skills, " ".join(tag_names), commune, naf_label(org.naf_code)
    )


def tags_for(names: Iterable[str]) -> list[Tag]:
    tags = []
    for name in names:
        name = " ".join(name.split())[:60]
        slug = slugify(strip_accents(name))[:70]
        if not slug:
            continue
        tag, _created = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
        tags.append(tag)
    return tags


def _validate(org: Organisation) -> None:
    org.full_clean(exclude=["slug", "search_document", "name_document"], validate_unique=False)
    org.validate_unique()
    org.validate_constraints()


@transaction.atomic
def organisation_create(*, by: Actor, tags: Iterable[str] = (), **data) -> Organisation:
    org = Organisation(**{k: v for k, v in data.items() if k in ORGANISATION_FIELDS})
    if not (org.siren or org.siret or org.rna):
        raise ValidationError(_("Indiquez un SIRET, un SIREN ou un numéro RNA."))
    if org.siret and not org.siren:
        org.siren = org.siret[:9]
    _validate(org)
    org.slug = _unique_slug(org.name)
    tag_objs = tags_for(tags)
    _refresh_search(org, [t.name for t in tag_objs])
    org.save()
    org.tags.set(tag_objs)
    audit_record(actor=by, action="organisation.create", target=org)
    return org


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, by: Actor, tags: Iterable[str] | None = None, **data
) -> Organisation:
    """Update a profile: the firm's own people or the cluster's managers."""
    if not by.can_see_private_of(organisation.pk) and not by.is_system:
        raise PermissionDenied
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changes = {}
    for name, value in data.items():
        if name not in ORGANISATION_FIELDS:
            raise ValueError(f"not an organisation field: {name}")
        old = getattr(organisation, name)
        if old != value:
            changes[name] = [str(old), str(value)]
            setattr(organisation, name, value)
    if organisation.siret:
        organisation.siren = organisation.siret[:9]
    _validate(organisation)
    if tags is not None:
        tag_objs = tags_for(tags)
        before = sorted(organisation.tags.values_list("name", flat=True))
        after = sorted(t.name for t in tag_objs)
        if before != after:
            changes["tags"] = [before, after]
            organisation.tags.set(tag_objs)
    _refresh_search(organisation, organisation.tags.values_list("name", flat=True))
    organisation.save()
    if changes:
        audit_record(actor=by, action="organisation.update", target=organisation, changes=changes)
        directory_changed(organisation.memberships.values_list("cluster_id", flat=True))
    return organisation


# --- Memberships -------------------------------------------------------------------------


def _require_manager(by: Actor) -> None:
    if not by.is_manager:
        raise PermissionDenied


@transaction.atomic
def membership_create(
    *,
    organisation: Organisation,
    by: Actor,
    status: str = Membership.Status.ACTIVE,
    fee_amount: Decimal = Decimal("0.00"),
    joined_on: dt.date | None = None,
) -> Membership:
    _require_manager(by)
    if Membership.objects.filter(cluster=by.cluster, organisation=organisation).exists():
        raise ValidationError(_("%s est déjà dans cette grappe.") % organisation.name)
    today = timezone.localdate()
    joined_on = joined_on or today
    membership = Membership(
        cluster=by.cluster,
        organisation=organisation,
        status=status,
        fee_amount=fee_amount,
        joined_on=joined_on if status != Membership.Status.APPLICANT else None,
        renewal_on=_next_renewal(joined_on) if status == Membership.Status.ACTIVE else None,
    )
    membership.full_clean()
    membership.save()
    audit_record(
        actor=by, action="membership.create", target=membership, changes={"status": status}
    )
    directory_changed([by.cluster.pk])
    return membership


def _next_renewal(start: dt.date) -> dt.date:
    try:
        return start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28)


@transaction.atomic
def membership_set_status(*, membership: Membership, status: str, by: Actor) -> Membership:
    _require_manager(by)
    if status not in Membership.Status.values:
        raise ValidationError(_("Statut inconnu : %s.") % status)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    old = membership.status
    if old == status:
        return membership
    today = timezone.localdate()
    membership.status = status
    if status == Membership.Status.ACTIVE:
        membership.joined_on = membership.joined_on or today
        membership.renewal_on = membership.renewal_on or _next_renewal(today)
        membership.left_on = None
    elif status == Membership.Status.LEFT:
        membership.left_on = today
    membership.save()
    if status == Membership.Status.ACTIVE:
        # As the registry import does: the same SIRET, or the same SIREN (another site).
        org = membership.organisation
        same_firm = Q(establishment__siret=org.siret) if org.siret else Q(pk__in=[])
        if org.siren:
            same_firm |= Q(establishment__siren=org.siren)
        Prospect.objects.filter(same_firm, cluster=membership.cluster).update(
            status=Prospect.Status.MEMBER
        )
    audit_record(
        actor=by, action="membership.status", target=membership, changes={"status": [old, status]}
    )
    directory_changed([membership.cluster_id])
    return membership


@transaction.atomic
def membership_update_fee(
    *,
    membership: Membership,
    by: Actor,
    fee_amount: Decimal | None = None,
    fee_status: str | None = None,
    paid_on: dt.date | None = None,
) -> Membership:
    _require_manager(by)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    changes = {}
    if fee_amount is not None:
        fee_amount = Decimal(fee_amount)
        if fee_amount < 0 or fee_amount.as_tuple().exponent < -2:
            raise ValidationError(_("La cotisation est un montant positif en euros et centimes."))
        changes["fee_amount"] = [str(membership.fee_amount), str(fee_amount)]
        membership.fee_amount = fee_amount
    if fee_status is not None:
        if fee_status not in Membership.FeeStatus.values:
            raise ValidationError(_("Statut de cotisation inconnu : %s.") % fee_status)
        changes["fee_status"] = [membership.fee_status, fee_status]
        membership.fee_status = fee_status
        membership.fee_paid_on = (
            (paid_on or timezone.localdate()) if fee_status == Membership.FeeStatus.PAID else None
        )
    membership.save()
    audit_record(actor=by, action="membership.fee", target=membership, changes=changes)
    return membership


@transaction.atomic
def membership_renew(*, membership: Membership, by: Actor) -> Membership:
    """Start a new yearly period: the fee is due again, the renewal date moves a year."""
    _require_manager(by)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    start = membership.renewal_on or timezone.localdate()
    membership.renewal_on = _next_renewal(start)
    membership.fee_status = Membership.FeeStatus.DUE
    membership.fee_paid_on = None
    membership.renewal_reminded_on = None
    if membership.status == Membership.Status.LAPSED:
        membership.status = Membership.Status.ACTIVE
    membership.save()
    audit_record(
        actor=by,
        action="membership.renew",
        target=membership,
        changes={"renewal_on": str(membership.renewal_on)},
    )
    return membership


def membership_send_renewal_reminders(*, by: Actor, today: dt.date, days_ahead: int = 30) -> int:
    """E-mail each active member whose renewal is near (once per period); lapse overdue ones."""
    cluster = by.cluster
    sent = 0
    with transaction.atomic():
        overdue = Membership.objects.filter(
            cluster=cluster,
            status=Membership.Status.ACTIVE,
            renewal_on__lt=today - dt.timedelta(days=days_ahead),
            fee_status=Membership.FeeStatus.DUE,
        )
        for membership in overdue.select_related("organisation"):
            membership.status = Membership.Status.LAPSED
            membership.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=by,
                action="membership.lapse",
                target=membership,
                changes={"status": ["active", "lapsed"]},
            )
            directory_changed([cluster.pk])
        due = (
            Membership.objects.filter(
                cluster=cluster,
                status=Membership.Status.ACTIVE,
                renewal_on__lte=today + dt.timedelta(days=days_ahead),
                renewal_reminded_on__isnull=True,
            )
            .select_related("organisation")
            .prefetch_related("organisation__people")
        )
        for membership in due:
            recipients = {
                p.email for p in membership.organisation.people.all() if p.is_active and p.email
            } or ({membership.organisation.email} - {""})
            for email in sorted(recipients):
                send_email_on_commit(
                    to=email,
                    subject=_("Renouvellement de votre adhésion à %s") % cluster.name,
                    template="members/email/renewal_reminder",
                    context={"membership": membership, "cluster": cluster},
                    essential=True,
                )
                sent += 1
            membership.renewal_reminded_on = today
            membership.save(update_fields=["renewal_reminded_on", "updated_at"])
    return sent


# --- People ------------------------------------------------------------------------------


@transaction.atomic
def person_create(*, organisation: Organisation, by: Actor, **data) -> Person:
    if not (by.can_see_private_of(organisation.pk) or by.is_system):
        raise PermissionDenied
    person = Person(organisation=organisation, **data)
    person.full_clean()
    person.save()
    audit_record(actor=by, action="person.create", target=person)
    return person


@transaction.atomic
def person_update(*, person: Person, by: Actor, **data) -> Person:
    """The person themself, their firm's people, or a manager."""
    is_self = by.user is not None and person.user_id == by.user.pk
    if not (is_self or by.can_see_private_of(person.organisation_id)):
        raise PermissionDenied
    allowed = {"first_name", "last_name", "job_title", "email", "phone", "visibility", "is_active"}
    for name, value in data.items():
        if name not in allowed:
            raise ValueError(f"not a person field: {name}")
        setattr(person, name, value)
    person.full_clean()
    person.save()
    return person


# --- Needs and offers --------------------------------------------------------------------


@transaction.atomic
def post_create(
    *, by: Actor, organisation: Organisation, kind: str, title: str, text: str, visibility: str
) -> Post:
    if not by.acts_for(organisation.pk) and not by.is_manager:
        raise PermissionDenied
    post = Post(
        cluster=by.cluster,
        organisation=organisation,
        author=by.user,
        kind=kind,
        title=title.strip(),
        text=text.strip(),
        visibility=visibility,
    )
    post.full_clean()
    post.save()
    return post


@transaction.atomic
def post_update(*, post: Post, by: Actor, **data) -> Post:
    if not by.can_see_private_of(post.organisation_id):
        raise PermissionDenied
    for name in ("kind", "title", "text", "visibility"):
        if name in data:
            setattr(post, name, data[name].strip() if isinstance(data[name], str) else data[name])
    post.full_clean()
    post.save()
    return post


@transaction.atomic
def post_close(*, post: Post, by: Actor) -> Post:
    if not by.can_see_private_of(post.organisation_id):
        raise PermissionDenied
    if post.closed_at is None:
        post.closed_at = timezone.now()
        post.save(update_fields=["closed_at", "updated_at"])
    return post


# --- Join requests -----------------------------------------------------------------------


@transaction.atomic
def join_request_submit(*, cluster, **data) -> JoinRequest:
    """A public request to join; the managers are told by e-mail."""
    ident = parse_identifier(data.get("identifier", ""))
    data["identifier"] = ident.get("siret") or ident.get("siren") or ident.get("rna")
    request = JoinRequest(cluster=cluster, **data)
    request.full_clean()
    pending = JoinRequest.objects.filter(
        cluster=cluster, identifier=request.identifier, status=JoinRequest.Status.PENDING
    )
    if pending.exists():
        raise ValidationError(_("Une demande pour cette structure est déjà en cours d'examen."))
    existing = organisation_find(**ident)
    if (
        existing
        and Membership.objects.filter(
            cluster=cluster, organisation=existing, status=Membership.Status.ACTIVE
        ).exists()
    ):
        raise ValidationError(_("Cette structure est déjà membre de la grappe."))
    request.save()
    url = absolute_url(reverse("members:join-request-list", kwargs={"cluster_slug": cluster.slug}))
    for email in ClusterRole.objects.filter(
        cluster=cluster, role=ClusterRole.Role.MANAGER
    ).values_list("user__email", flat=True):
        send_email_on_commit(
            to=email,
            subject=_("Nouvelle demande d'adhésion : %s") % request.organisation_name,
            template="members/email/join_request_new",
            context={"join_request": request, "cluster": cluster, "url": url},
        )
    return request


@transaction.atomic
def join_request_admit(
    *, join_request: JoinRequest, by: Actor, message: str = "", fee_amount: Decimal | None = None
) -> Membership:
    """Admit: the organisation (found or created), an active membership, its contact person
    and an invitation for them to create their account."""
    _require_manager(by)
    jr = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if jr.cluster_id != by.cluster.pk:
        raise PermissionDenied
    if jr.status != JoinRequest.Status.PENDING:
        raise ValidationError(_("Cette demande a déjà été traitée."))
    ident = parse_identifier(jr.identifier)
    org = organisation_find(**ident)
    if org is None:
        org = organisation_create(
            by=by,
            name=jr.organisation_name,
            legal_form=jr.legal_form,
            naf_code=jr.naf_code,
            commune_id=jr.commune_id,
            address=jr.address,
            website=jr.website,
            description=jr.description,
            email=jr.contact_email,
            **ident,
        )
    membership = Membership.objects.filter(cluster=by.cluster, organisation=org).first()
    if membership is None:
        membership = membership_create(
            organisation=org, by=by, fee_amount=fee_amount or Decimal("0.00")
        )
    elif membership.status != Membership.Status.ACTIVE:
        membership = membership_set_status(
            membership=membership, status=Membership.Status.ACTIVE, by=by
        )
    person = org.people.filter(email__iexact=jr.contact_email).first() or Person.objects.create(
        organisation=org,
        first_name=jr.contact_first_name,
        last_name=jr.contact_last_name,
        email=jr.contact_email,
        phone=jr.contact_phone,
        job_title=jr.contact_job_title,
    )
    jr.status = JoinRequest.Status.ADMITTED
    jr.decided_at = timezone.now()
    jr.decided_by = by.user
    jr.decision_message = message
    jr.organisation = org
    jr.save()
    audit_record(actor=by, action="join_request.admit", target=jr, changes={"message": message})
    invitation_create(
        by=by,
        email=person.email,
        role=Invitation.Role.MEMBER,
        organisation=org,
        message=message,
        template="members/email/join_request_admitted",
    )
    return membership


@transaction.atomic
def join_request_decline(*, join_request: JoinRequest, by: Actor, message: str) -> JoinRequest:
    _require_manager(by)
    jr = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if jr.cluster_id != by.cluster.pk:
        raise PermissionDenied
    if jr.status != JoinRequest.Status.PENDING:
        raise ValidationError(_("Cette demande a déjà été traitée."))
    if not message.strip():
        raise ValidationError(_("Expliquez la raison du refus : elle est envoyée au demandeur."))
    jr.status = JoinRequest.Status.DECLINED
    jr.decided_at = timezone.now()
    jr.decided_by = by.user
    jr.decision_message = message.strip()
    jr.save()
    audit_record(actor=by, action="join_request.decline", target=jr, changes={"message": message})
    send_email_on_commit(
        to=jr.contact_email,
        subject=_("Votre demande d'adhésion à %s") % by.cluster.name,
        template="members/email/join_request_declined",
        context={"join_request": jr, "cluster": by.cluster},
        essential=True,
    )
    return jr


# --- Invitations -------------------------------------------------------------------------


INVITATION_SALT = "grappe.invitation"


def invitation_token(invitation: Invitation) -> str:
    from django.core import signing

    return signing.dumps({"id": invitation.pk, "email": invitation.email}, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation:
    """The invitation a signed token designates, or ValidationError (bad, expired, used)."""
    from django.core import signing

    max_age = dt.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise ValidationError(_("Cette invitation a expiré. Demandez-en une nouvelle.")) from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("Ce lien d'invitation n'est pas valide.")) from exc
    invitation = (
        Invitation.objects.select_related("cluster", "organisation")
        .filter(pk=payload.get("id"), email=payload.get("email"))
        .first()
    )
    if invitation is None or invitation.revoked_at:
        raise ValidationError(_("Cette invitation a été annulée."))
    if invitation.accepted_at:
        raise ValidationError(_("Cette invitation a déjà été utilisée. Connectez-vous."))
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("Cette invitation a expiré. Demandez-en une nouvelle."))
    return invitation


@transaction.atomic
def invitation_create(
    *,
    by: Actor,
    email: str,
    role: str = Invitation.Role.MEMBER,
    organisation: Organisation | None = None,
    message: str = "",
    template: str = "members/email/invitation",
) -> Invitation:
    """Invite a person: a member firm's people may invite colleagues, managers anyone."""
    if role == Invitation.Role.MEMBER:
        if organisation is None:
            raise ValidationError(_("Choisissez la structure de la personne invitée."))
        if not by.can_see_private_of(organisation.pk):
            raise PermissionDenied
        if not Membership.objects.filter(
            cluster=by.cluster, organisation=organisation, status__in=("active", "lapsed")
        ).exists():
            raise ValidationError(_("Cette structure n'est pas membre de la grappe."))
    else:
        _require_manager(by)
        organisation = None
    invitation = Invitation(
        cluster=by.cluster,
        email=email.strip().lower(),
        role=role,
        organisation=organisation,
        invited_by=by.user,
        expires_at=timezone.now() + dt.timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    audit_record(
        actor=by,
        action="invitation.create",
        target=invitation,
        changes={"role": role, "organisation": organisation.name if organisation else None},
    )
    url = absolute_url(
        reverse("members:invitation-accept", kwargs={"token": invitation_token(invitation)})
    )
    send_email_on_commit(
        to=invitation.email,
        subject=_("Invitation à rejoindre %s sur Grappe") % by.cluster.name,
        template=template,
        context={"invitation": invitation, "url": url, "message": message, "cluster": by.cluster},
        essential=True,
    )
    return invitation


@transaction.atomic
def invitation_accept(
    *, token: str, password: str | None, full_name: str = "", user: User | None = None
) -> User:
    """Accept: the account (created, or the logged-in one), then the role or the firm link."""
    invitation = invitation_from_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ValidationError(_("Cette invitation a déjà été utilisée. Connectez-vous."))
    if user is None:
        user, created = user_get_or_create(email=invitation.email, full_name=full_name)
        if not created and user.has_usable_password():
            raise ValidationError(
                _("Un compte existe déjà pour %s : connectez-vous puis rouvrez le lien.")
                % invitation.email
            )
        if not password:
            raise ValidationError(_("Choisissez un mot de passe."))
        from django.contrib.auth.password_validation import validate_password

        validate_password(password, user)
        user.set_password(password)
        if full_name:
            user.full_name = full_name.strip()
        user.save()
    elif user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("Cette invitation est adressée à %s : connectez-vous avec ce compte.")
            % invitation.email
        )
    system = Actor.system(invitation.cluster)
    if invitation.role == Invitation.Role.MEMBER:
        person = invitation.organisation.people.filter(email__iexact=user.email).first()
        if person is None:
            first, _sep, last = (user.full_name or "").partition(" ")
            person = Person(
                organisation=invitation.organisation,
                email=user.email,
                first_name=first,
                last_name=last,
            )
        person.user = user
        person.is_active = True
        person.save()
    else:
        role_grant(cluster=invitation.cluster, user=user, role=invitation.role, by=system)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    audit_record(
        actor=Actor(cluster=invitation.cluster, user=user),
        action="invitation.accept",
        target=invitation,
    )
    return user


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: Actor) -> None:
    _require_manager(by)
    if invitation.cluster_id != by.cluster.pk:
        raise PermissionDenied
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    audit_record(actor=by, action="invitation.revoke", target=invitation)


# --- Prospects ---------------------------------------------------------------------------


@transaction.atomic
def prospect_set_status(*, prospect: Prospect, by: Actor, status: str, note: str = "") -> Prospect:
    _require_manager(by)
    if status not in Prospect.Status.values:
        raise ValidationError(_("Statut inconnu : %s.") % status)
    old = prospect.status
    prospect.status = status
    if note:
        prospect.note = note.strip()
    if status == Prospect.Status.CONTACTED and prospect.contacted_at is None:
        prospect.contacted_at = timezone.now()
    prospect.save()
    audit_record(
        actor=by, action="prospect.status", target=prospect, changes={"status": [old, status]}
    )
    return prospect


@transaction.atomic
def prospect_invite(*, prospect: Prospect, by: Actor, email: str, message: str = "") -> Prospect:
    """E-mail a prospect a link to the join form, with its SIRET and name filled in."""
    from urllib.parse import urlencode

    _require_manager(by)
    if prospect.cluster_id != by.cluster.pk:
        raise PermissionDenied
    establishment = prospect.establishment
    query = urlencode({"identifier": establishment.siret, "organisation_name": establishment.name})
    url = absolute_url(
        reverse("members:join-request-create", kwargs={"cluster_slug": by.cluster.slug})
        + "?"
        + query
    )
    send_email_on_commit(
        to=email,
        subject=_("%s vous invite à la rejoindre") % by.cluster.name,
        template="members/email/prospect_invitation",
        context={
            "cluster": by.cluster,
            "establishment": establishment,
            "url": url,
            "message": message,
        },
    )
    old = prospect.status
    prospect.status = Prospect.Status.INVITED
    prospect.contacted_at = prospect.contacted_at or timezone.now()
    prospect.note = (prospect.note + "\n" if prospect.note else "") + _("Invité : %s") % email
    prospect.save()
    audit_record(
        actor=by,
        action="prospect.invite",
        target=prospect,
        changes={"status": [old, prospect.status], "email": email},
    )
    return prospect


# --- People's data -----------------------------------------------------------------------


def personal_data_erase(user: User) -> None:
    """Erase what the members app holds about a person (their firm's records stay)."""
    Person.objects.filter(user=user).delete()
    Person.objects.filter(email__iexact=user.email).delete()
    Invitation.objects.filter(email__iexact=user.email).delete()

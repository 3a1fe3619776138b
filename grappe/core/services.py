"""Writes of the core app: clusters, roles, audit log, API tokens, accounts."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.core.access import Actor
from grappe.core.models import ApiToken, AuditEntry, Cluster, ClusterRole, User
from grappe.engine.text import strip_accents


def audit_record(
    *,
    actor: Actor,
    action: str,
    target: models.Model | None = None,
    changes: dict | None = None,
    cluster: Cluster | None = None,
) -> AuditEntry:
    """Append one line to the audit log (inside the caller's transaction)."""
    return AuditEntry.objects.create(
        cluster=cluster or actor.cluster,
        actor=actor.user,
        actor_label=actor.label,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:300] if target is not None else "",
        changes=changes or {},
    )


def _diff(instance: models.Model, data: dict) -> dict:
    changes = {}
    for name, value in data.items():
        old = getattr(instance, name)
        if old != value:
            changes[name] = [_jsonable(old), _jsonable(value)]
    return changes


def _jsonable(value):
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


def clean_naf_codes(codes: Iterable[str]) -> list[str]:
    from grappe.core.validators import validate_naf_code

    cleaned = []
    for code in codes:
        code = code.strip().upper()
        if not code:
            continue
        validate_naf_code(code)
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


@transaction.atomic
def cluster_create(
    *,
    name: str,
    slug: str,
    commune_codes: Iterable[str] = (),
    naf_codes: Iterable[str] = (),
    description: str = "",
    by: Actor | None = None,
    **extra,
) -> Cluster:
    """Create a cluster with its territory (INSEE codes) and sectors (NAF codes)."""
    from grappe.territory.models import Commune

    if Cluster.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("Une grappe utilise déjà l'identifiant « %s ».") % slug})
    codes = [c.strip() for c in commune_codes if c.strip()]
    communes = list(Commune.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {c.code for c in communes})
    if missing:
        raise ValidationError({"communes": _("Communes inconnues : %s.") % ", ".join(missing)})
    cluster = Cluster(
        name=name.strip(),
        slug=slug,
        description=description,
        naf_codes=clean_naf_codes(naf_codes),
        **extra,
    )
    cluster.full_clean()
    cluster.save()
    cluster.communes.set(communes)
    actor = by or Actor.system(cluster)
    audit_record(
        actor=actor,
        cluster=cluster,
        action="cluster.create",
        target=cluster,
        changes={"communes": codes, "naf_codes": cluster.naf_codes},
    )
    return cluster


@transaction.atomic
def cluster_update(
    *, cluster: Cluster, by: Actor, commune_codes: Iterable[str] | None = None, **data
) -> Cluster:
    from grappe.territory.models import Commune

    if "naf_codes" in data:
        data["naf_codes"] = clean_naf_codes(data["naf_codes"])
    changes = _diff(cluster, data)
    for name, value in data.items():
        setattr(cluster, name, value)
    cluster.full_clean()
    cluster.save()
    if commune_codes is not None:
        codes = sorted({c.strip() for c in commune_codes if c.strip()})
        communes = list(Commune.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {c.code for c in communes})
        if missing:
            raise ValidationError({"communes": _("Communes inconnues : %s.") % ", ".join(missing)})
        before = sorted(cluster.communes.values_list("code", flat=True))
        if before != codes:
            cluster.communes.set(communes)
            changes["communes"] = [before, codes]
    if changes:
        audit_record(actor=by, action="cluster.update", target=cluster, changes=changes)
    return cluster


@transaction.atomic
def role_grant(*, cluster: Cluster, user: User, role: str, by: Actor) -> ClusterRole:
    if role not in ClusterRole.Role.values:
        raise ValidationError(_("Rôle inconnu : %s.") % role)
    obj, created = ClusterRole.objects.get_or_create(cluster=cluster, user=user, role=role)
    if created:
        audit_record(actor=by, action="role.grant", target=obj, changes={"role": role})
    return obj


@transaction.atomic
def role_revoke(*, cluster: Cluster, user: User, role: str, by: Actor) -> None:
    if role == ClusterRole.Role.MANAGER:
        others = ClusterRole.objects.filter(cluster=cluster, role=role).exclude(user=user)
        if not others.exists():
            raise ValidationError(_("La grappe doit garder au moins un·e animateur·rice."))
    deleted, _rows = ClusterRole.objects.filter(cluster=cluster, user=user, role=role).delete()
    if deleted:
        audit_record(
            actor=by,
            action="role.revoke",
            changes={"user": user.email, "role": role},
        )


def user_get_or_create(*, email: str, full_name: str = "") -> tuple[User, bool]:
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user:
        return user, False
    user = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
    return user, True


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; the clear key is returned once and never stored."""
    key = "grp_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100] or "API",
        prefix=key[4:12],
        key_hash=ApiToken.hash_key(key),
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


@transaction.atomic
def user_unsubscribe(*, user: User) -> None:
    if user.emails_opted_out_at is None:
        user.emails_opted_out_at = timezone.now()
        user.save(update_fields=["emails_opted_out_at"])


@transaction.atomic
def user_resubscribe(*, user: User) -> None:
    user.emails_opted_out_at = None
    user.save(update_fields=["emails_opted_out_at"])


def slug_from_name(name: str, *, taken: Iterable[str] = ()) -> str:
    from django.utils.text import slugify

    base = slugify(strip_accents(name))[:50] or "grappe"
    taken = set(taken)
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug

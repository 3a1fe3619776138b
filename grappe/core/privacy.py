"""People's data: each app registers what it holds about a user, to export and erase.

Apps call :func:`register` from ``AppConfig.ready()``; core never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from grappe.core.models import ApiToken, AuditEntry, ClusterRole, User


@dataclass(frozen=True)
class PersonalDataSource:
    name: str
    export: Callable[[User], object]
    erase: Callable[[User], None]


_sources: dict[str, PersonalDataSource] = {}


def register(source: PersonalDataSource) -> None:
    _sources[source.name] = source


def _core_export(user: User) -> dict:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "language": user.language,
        "date_joined": user.date_joined.isoformat(),
        "emails_opted_out_at": (
            user.emails_opted_out_at.isoformat() if user.emails_opted_out_at else None
        ),
        "roles": [
            {"cluster": r.cluster.slug, "role": r.role}
            for r in user.cluster_roles.select_related("cluster")
        ],
        "api_tokens": [
            {"name": t.name, "created_at": t.created_at.isoformat()} for t in user.api_tokens.all()
        ],
    }


def _core_erase(user: User) -> None:
    ClusterRole.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    AuditEntry.objects.filter(actor=user).update(actor_label="personne effacée")


register(PersonalDataSource(name="account", export=_core_export, erase=_core_erase))


def personal_data_export(user: User) -> dict:
    return {
        "exported_at": timezone.now().isoformat(),
        **{name: source.export(user) for name, source in sorted(_sources.items())},
    }


@transaction.atomic
def personal_data_erase(user: User) -> None:
    """Erase a person: their data in every app, then the account itself."""
    for source in _sources.values():
        source.erase(user)
    user.delete()

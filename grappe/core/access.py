"""Who is acting, in which cluster, with which rights.

Every selector and service takes an :class:`Actor`. Managers and observers hold a
:class:`~grappe.core.models.ClusterRole`; member firms' people get access through
their firm's membership, which the members app reports through an *affiliation
provider* registered at start-up (core does not import the capability apps).
Jobs and commands act as :meth:`Actor.system`, never as "no user".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import Http404

from grappe.core.models import Cluster, ClusterRole, User

MANAGER = ClusterRole.Role.MANAGER.value
OBSERVER = ClusterRole.Role.OBSERVER.value
MEMBER = "member"

AffiliationProvider = Callable[[User, Cluster], frozenset[int]]
_affiliation_providers: list[AffiliationProvider] = []


def register_affiliation_provider(provider: AffiliationProvider) -> None:
    """Register a function giving the organisation ids a user acts for in a cluster."""
    if provider not in _affiliation_providers:
        _affiliation_providers.append(provider)


@dataclass(frozen=True)
class Actor:
    cluster: Cluster
    user: User | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    organisation_ids: frozenset[int] = field(default_factory=frozenset)
    is_system: bool = False

    @classmethod
    def system(cls, cluster: Cluster) -> Actor:
        return cls(cluster=cluster, is_system=True, roles=frozenset({MANAGER}))

    @classmethod
    def anonymous(cls, cluster: Cluster) -> Actor:
        return cls(cluster=cluster)

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def is_manager(self) -> bool:
        return MANAGER in self.roles

    @property
    def is_observer(self) -> bool:
        return OBSERVER in self.roles

    @property
    def is_member(self) -> bool:
        return bool(self.organisation_ids)

    @property
    def is_insider(self) -> bool:
        """Anyone with a role in the cluster: manager, observer or member firm."""
        return bool(self.roles) or self.is_member

    @property
    def label(self) -> str:
        if self.is_system:
            return "système"
        if self.user is None:
            return "anonyme"
        return self.user.email

    def acts_for(self, organisation_id: int) -> bool:
        return organisation_id in self.organisation_ids

    def can_see_private_of(self, organisation_id: int) -> bool:
        """A firm's private data: its own people and the cluster's managers."""
        return self.is_manager or self.acts_for(organisation_id)


def resolve_actor(user: User | None, cluster: Cluster) -> Actor:
    """The actor for a (possibly anonymous) user in a cluster."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Actor.anonymous(cluster)
    roles = frozenset(
        ClusterRole.objects.filter(cluster=cluster, user=user).values_list("role", flat=True)
    )
    organisation_ids: frozenset[int] = frozenset()
    for provider in _affiliation_providers:
        organisation_ids |= provider(user, cluster)
    if organisation_ids:
        roles |= {MEMBER}
    return Actor(cluster=cluster, user=user, roles=roles, organisation_ids=organisation_ids)


def require(condition: bool) -> None:
    """Refuse with a 404: another tenant's or another firm's rows do not exist for you."""
    if not condition:
        raise Http404

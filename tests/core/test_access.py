import pytest

from grappe.core.access import Actor, resolve_actor
from grappe.members.models import Membership

pytestmark = pytest.mark.django_db


def test_roles_are_per_cluster(world):
    manager = resolve_actor(world.manager, world.paris)
    assert manager.is_manager and not manager.is_member
    assert not resolve_actor(world.manager, world.lyon).is_insider


def test_member_access_comes_from_the_firm_membership(world):
    actor = resolve_actor(world.member_a, world.paris)
    assert actor.is_member and actor.organisation_ids == {world.org_a.pk}
    assert actor.can_see_private_of(world.org_a.pk)
    assert not actor.can_see_private_of(world.org_b.pk)
    Membership.objects.filter(organisation=world.org_a).update(status=Membership.Status.LEFT)
    assert not resolve_actor(world.member_a, world.paris).is_member


def test_observer_sees_no_firm_private_data(world):
    actor = resolve_actor(world.observer, world.paris)
    assert actor.is_observer and not actor.is_manager
    assert not actor.can_see_private_of(world.org_a.pk)


def test_anonymous_and_inactive_users_have_no_rights(world):
    assert not resolve_actor(None, world.paris).is_insider
    world.manager.is_active = False
    world.manager.save()
    assert not resolve_actor(world.manager, world.paris).is_manager


def test_system_actor_acts_as_manager_and_is_labelled(world):
    actor = Actor.system(world.paris)
    assert actor.is_manager and actor.is_system and actor.label == "système"

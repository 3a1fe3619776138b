"""Who reads which radar text: managers all; a member firm public and cluster texts and
its own private ones; a funder none; another cluster nothing at all."""

from __future__ import annotations

import pytest
from django.http import Http404

from grappe.core import texts
from grappe.core.access import Actor
from grappe.insights import selectors, services
from grappe.insights.models import RadarRun
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def storage_theme(radar_world):
    run = services.radar_compute(run=RadarRun.objects.create(cluster=radar_world.paris))
    return run.themes.get(label="Local de stockage")


def readable(world, theme, user, cluster=None):
    actor = world.actor(user, cluster)
    return sorted(
        t.organisation.name for t in selectors.radar_theme_texts(actor=actor, theme=theme)
    )


def test_managers_read_every_text_of_the_theme(radar_world, storage_theme):
    assert readable(radar_world, storage_theme, radar_world.manager) == [
        "Label Beta",
        "Salle Gamma",
        "Studio Alpha",
    ]


def test_a_member_never_reads_another_firms_managers_only_text(radar_world, storage_theme):
    # org_c's text is for the managers only; org_b's is public, org_a's for the cluster.
    assert readable(radar_world, storage_theme, radar_world.member_a) == [
        "Label Beta",
        "Studio Alpha",
    ]
    member_c = radar_world.org_c.people.get().user
    assert readable(radar_world, storage_theme, member_c) == ["Label Beta", "Studio Alpha"]


def test_private_survey_answers_are_read_by_their_firm_and_managers_only(radar_world):
    from grappe.core.texts import can_read

    a = radar_world.actor(radar_world.member_a)
    b = radar_world.actor(radar_world.member_b)
    manager = radar_world.actor(radar_world.manager)
    observer = radar_world.actor(radar_world.observer)
    org_a = radar_world.org_a.pk
    assert can_read(a, visibility=texts.PRIVATE, organisation_id=org_a)
    assert not can_read(b, visibility=texts.PRIVATE, organisation_id=org_a)
    assert can_read(manager, visibility=texts.PRIVATE, organisation_id=org_a)
    assert not can_read(observer, visibility=texts.PRIVATE, organisation_id=org_a)
    assert not can_read(a, visibility=texts.MANAGERS, organisation_id=org_a)
    assert can_read(b, visibility=texts.CLUSTER, organisation_id=org_a)
    assert not can_read(
        Actor.anonymous(radar_world.paris), visibility=texts.CLUSTER, organisation_id=org_a
    )
    assert can_read(
        Actor.anonymous(radar_world.paris), visibility=texts.PUBLIC, organisation_id=org_a
    )


def test_funders_read_no_text(radar_world, storage_theme):
    assert readable(radar_world, storage_theme, radar_world.observer) == []


def test_another_cluster_cannot_reach_the_theme(radar_world, storage_theme):
    lyon = radar_world.actor(radar_world.lyon_manager, radar_world.lyon)
    with pytest.raises(Http404):
        selectors.radar_theme_texts(actor=lyon, theme=storage_theme)
    with pytest.raises(Http404):
        selectors.radar_theme_get(actor=lyon, pk=storage_theme.pk)


def test_a_firm_of_two_clusters_sees_its_texts_only_in_each(radar_world, storage_theme):
    make_member(radar_world.lyon, radar_world.org_a)
    in_lyon = radar_world.actor(radar_world.member_a, radar_world.lyon)
    with pytest.raises(Http404):
        selectors.radar_theme_texts(actor=in_lyon, theme=storage_theme)
    assert storage_theme.texts.count() == 3

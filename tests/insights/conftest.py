"""Fixtures of the insights tests: texts in the world's Paris cluster."""

from __future__ import annotations

import pytest

from grappe.members.models import Post
from tests.factories import UserFactory, make_member, make_org, make_person


def add_post(cluster, org, title, text, visibility="cluster", kind="need"):
    return Post.objects.create(
        cluster=cluster, organisation=org, kind=kind, title=title, text=text, visibility=visibility
    )


@pytest.fixture
def sync_jobs(monkeypatch):
    """Jobs run at once, in the test's process (django-q reads its settings at import)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def radar_world(world):
    """Three Paris firms that all need storage (one privately) and two that need payroll."""
    org_c = make_org("Salle Gamma")
    make_member(world.paris, org_c)
    make_person(org_c, UserFactory(email="member_c@example.org"))
    add_post(
        world.paris, world.org_a, "Stockage", "Nous cherchons un local de stockage pour le matériel"
    )
    add_post(
        world.paris, world.org_b, "Stockage", "Besoin d'un espace de stockage sécurisé", "public"
    )
    add_post(world.paris, org_c, "Box", "Un box de stockage partagé près de Barbès ?", "managers")
    add_post(world.paris, world.org_a, "Paie", "La paie des intermittents nous prend trop de temps")
    add_post(world.paris, world.org_b, "GUSO", "Qui connaît un gestionnaire de paie pour le GUSO ?")
    # Another cluster's text never reaches Paris's radar.
    add_post(world.lyon, world.org_lyon, "Stockage", "Un local de stockage à Lyon")
    world.org_c = org_c
    return world

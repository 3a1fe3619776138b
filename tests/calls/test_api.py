"""Calls API: scoped like the pages; every refusal is JSON with a message."""

import json
from decimal import Decimal

import pytest

from grappe.calls import services
from grappe.calls.matching import matches_recompute
from grappe.calls.models import Application
from grappe.core.services import api_token_create
from tests.calls.conftest import make_call
from tests.matrix import assert_api, expect

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world):
    call = make_call("Aide aux studios d'enregistrement", where="paris")
    private = services.call_create_manual(
        by=world.actor(world.lyon_manager, world.lyon), name="Réservé Lyon", perimeter="fr",
        is_public=False,
    )  # fmt: skip
    matches_recompute(cluster=world.paris)
    application = services.application_create(
        by=world.actor(world.member_b),
        call=call,
        kind="individual",
        title="Album de Beta",
        participants=[(world.org_b, "lead", 1)],
        budget_total=Decimal("300.00"),
    )
    return {"call": call.pk, "private": private.pk, "app": application.pk}


API = [
    ("calls", "/api/clusters/paris/calls", expect(default=200)),
    ("call", "/api/clusters/paris/calls/{call}", expect(default=200)),
    ("lyon's private call via paris", "/api/clusters/paris/calls/{private}", expect(default=404)),
    (
        "matches",
        "/api/clusters/paris/calls/matches",
        expect(default=404, member_a=200, member_b=200, manager=200, observer=403),
    ),
    (
        "another firm's matches",
        "/api/clusters/paris/calls/matches?organisation={org_b}",
        expect(default=404, member_b=200, manager=200, observer=403),
    ),
    (
        "cluster-level matches",
        "/api/clusters/paris/calls/matches?level=cluster",
        expect(default=404, member_a=403, member_b=403, manager=200, observer=403),
    ),
    (
        "applications",
        "/api/clusters/paris/applications",
        expect(default=404, member_a=200, member_b=200, manager=200, observer=403),
    ),
    (
        "an application",
        "/api/clusters/paris/applications/{app}",
        expect(default=404, member_b=200, manager=200, observer=403),
    ),
    (
        "funding totals",
        "/api/clusters/paris/funding",
        expect(default=404, member_a=403, member_b=403, manager=200, observer=200),
    ),
]


@pytest.mark.parametrize(("label", "url", "codes"), API, ids=[a[0] for a in API])
def test_api(client, world, scene, label, url, codes):
    assert_api(client, world, url.format(org_b=world.org_b.slug, **scene), codes, label=label)


def test_api_search_and_matches_content(client, world, scene):
    body = client.get("/api/clusters/paris/calls?q=studio&territory=75118").json()
    assert body["count"] == 1 and body["items"][0]["source_id"]
    assert client.get("/api/clusters/paris/calls?territory=00000").json()["count"] == 0
    _t, key = api_token_create(user=world.member_a, name="t")
    matches = client.get(
        "/api/clusters/paris/calls/matches", headers={"Authorization": f"Bearer {key}"}
    ).json()["items"]
    assert {m["organisation"] for m in matches} == {world.org_a.slug}
    assert matches[0]["reasons"] and 0 <= matches[0]["score"] <= 1


def test_api_member_sees_only_its_applications(client, world, scene):
    _t, key = api_token_create(user=world.member_a, name="t")
    items = client.get(
        "/api/clusters/paris/applications", headers={"Authorization": f"Bearer {key}"}
    ).json()["items"]
    assert items == []
    _t, key = api_token_create(user=world.member_b, name="t")
    detail = client.get(
        f"/api/clusters/paris/applications/{scene['app']}",
        headers={"Authorization": f"Bearer {key}"},
    ).json()
    assert detail["participants"][0]["budget_share"] == "300.00"
    assert json.loads(json.dumps(detail))["title"] == "Album de Beta"
    assert Application.objects.count() == 1

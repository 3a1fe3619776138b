"""Calls API: scoped like the pages; every refusal is JSON with a message."""

import json
from decimal import Decimal

import pytest

from grappe.calls import services
from grappe.calls.matching import matches_recompute
from grappe.calls.models import Application
from grappe.core.services import api_token_create
from tests.calls.conftest import make_call
from tests.matrix import ROLES, api_call, assert_api, expect

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


# --- Manual calls through the API (managers) ---------------------------------------------------

MANUAL = {
    "name": "Fonds pour les lieux de répétition",
    "perimeter": "com:75118",
    "targeted_audiences": ["association"],
    "aid_types": ["grant"],
    "financers": ["Mairie du 18e"],
    "submission_deadline": "2099-03-31",
    "max_amount": "8000.00",
    "is_public": False,
}


def test_only_managers_enter_a_call_through_the_api(client, world):
    from grappe.calls.models import Call

    codes = expect(default=404, member_a=403, member_b=403, observer=403, manager=201)
    for role, code in zip(ROLES, codes, strict=True):
        response = api_call(client, world, role, "POST", "/api/clusters/paris/calls", MANUAL)
        assert response.status_code == code, f"{role} got {response.status_code}"
        if code >= 400:
            assert response.json()["detail"]
    call = Call.objects.get()
    assert (call.source, call.owner_cluster, call.is_public) == ("manual", world.paris, False)
    assert str(call.max_amount) == "8000.00" and call.perimeter_keys == " com:75118 "


def test_a_manager_corrects_withdraws_and_publishes_through_the_api(client, world):
    from grappe.calls.models import Call

    created = api_call(client, world, "manager", "POST", "/api/clusters/paris/calls", MANUAL)
    assert created.status_code == 201
    body = created.json()
    assert (body["is_public"], body["is_live"], body["perimeter"]) == (
        False,
        True,
        "Paris 18e Arrondissement (Commune)",
    )
    url = f"/api/clusters/paris/calls/{body['id']}"
    changed = api_call(
        client, world, "manager", "PUT", url, {**MANUAL, "submission_deadline": "2099-04-30"}
    )
    assert changed.status_code == 200 and changed.json()["submission_deadline"] == "2099-04-30"
    bad = api_call(client, world, "manager", "PUT", url, {**MANUAL, "perimeter": "dep:999"})
    assert bad.status_code == 400 and "Territoire inconnu" in str(bad.json()["detail"])
    assert str(Call.objects.get().submission_deadline) == "2099-04-30"
    withdrawn = api_call(client, world, "manager", "POST", f"{url}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["is_live"] is False
    assert not Call.objects.get().is_live
    listed = api_call(client, world, "manager", "GET", "/api/clusters/paris/calls?open=false")
    assert body["id"] not in [c["id"] for c in listed.json()["items"]]
    published = api_call(client, world, "manager", "POST", f"{url}/publish")
    assert published.status_code == 200 and Call.objects.get().is_live


def test_others_cannot_change_a_manual_call_through_the_api(client, world, scene):
    from grappe.calls.models import Call

    created = api_call(client, world, "manager", "POST", "/api/clusters/paris/calls", MANUAL)
    url = f"/api/clusters/paris/calls/{created.json()['id']}"
    codes = expect(default=404, member_a=403, member_b=403, observer=403, manager=200)
    refused = [(role, code) for role, code in zip(ROLES, codes, strict=True) if code != 200]
    for role, code in refused:
        response = api_call(client, world, role, "POST", f"{url}/withdraw")
        assert response.status_code == code, f"{role} got {response.status_code}"
        assert response.json()["detail"]
    assert Call.objects.get(pk=created.json()["id"]).is_live
    # An imported call is changed at its source only.
    imported = f"/api/clusters/paris/calls/{scene['call']}"
    assert api_call(client, world, "manager", "PUT", imported, MANUAL).status_code == 404
    # Lyon's manager, through Lyon, does not reach Paris's call.
    lyon = f"/api/clusters/lyon/calls/{created.json()['id']}/withdraw"
    assert api_call(client, world, "lyon_manager", "POST", lyon).status_code == 404

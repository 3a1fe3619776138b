"""Manual calls after their entry: a manager of the cluster that entered one corrects it
or withdraws it from the catalogue (and puts it back); nobody else can, and an imported
call changes only at its source."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grappe.calls import alerts, selectors, services
from grappe.calls.matching import matches_recompute
from grappe.calls.models import AlertDelivery, Application, Call, CallMatch
from grappe.calls.selectors import CallFilters
from grappe.core.models import AuditEntry
from grappe.core.services import api_token_create
from tests.calls.conftest import make_call

pytestmark = pytest.mark.django_db

VALUES = {
    "name": "Aide aux studios d'enregistrement du 18e",
    "perimeter": "dep:75",
    "description": "Soutien à l'équipement des studios d'enregistrement.",
    "targeted_audiences": ["private_sector", "association"],
    "aid_types": ["grant"],
    "financers": ["Mairie du 18e"],
    "categories": ["Spectacle vivant"],
    "max_amount": Decimal("15000.00"),
}


def actor(world, role="manager"):
    return world.actor(getattr(world, role))


def manual_call(world, **changes):
    deadline = timezone.localdate() + dt.timedelta(days=30)
    values = {**VALUES, "submission_deadline": deadline, **changes}
    return services.call_create_manual(by=actor(world), **values)


def search(world, query):
    filters = CallFilters(query=query, open=True)
    return list(selectors.call_search(actor=actor(world), filters=filters))


def test_a_manager_corrects_a_manual_call_and_search_follows(world):
    call = manual_call(world)
    later = timezone.localdate() + dt.timedelta(days=60)
    updated = services.call_update_manual(
        by=actor(world),
        call=call,
        **{**VALUES, "name": "Aide aux répétitions", "perimeter": "com:75118"},
        submission_deadline=later,
    )
    stored = Call.objects.get(pk=call.pk)
    assert updated.pk == call.pk and Call.objects.count() == 1
    assert (stored.name, stored.submission_deadline) == ("Aide aux répétitions", later)
    assert stored.perimeter_keys == " com:75118 " and stored.perimeter_scale == "commune"
    assert stored.source_id == call.source_id and stored.fingerprint != call.fingerprint
    assert stored.raw["name"] == "Aide aux répétitions"
    assert search(world, "répétitions") == [stored]
    entry = AuditEntry.objects.get(action="call.update")
    assert entry.changes["name"] == ["Aide aux studios d'enregistrement du 18e", stored.name]
    assert services.perimeter_code(stored) == "com:75118"


def test_bad_values_change_nothing(world):
    call = manual_call(world)
    before = Call.objects.values().get(pk=call.pk)
    with pytest.raises(ValidationError):
        services.call_update_manual(by=actor(world), call=call, **{**VALUES, "name": "  "})
    with pytest.raises(ValidationError):
        services.call_update_manual(
            by=actor(world),
            call=call,
            **VALUES,
            start_date=timezone.localdate(),
            submission_deadline=timezone.localdate() - dt.timedelta(days=1),
        )
    assert Call.objects.values().get(pk=call.pk) == before
    assert not AuditEntry.objects.filter(action="call.update").exists()


@pytest.mark.parametrize("role", ["member_a", "observer", "lyon_manager"])
def test_only_the_entering_clusters_managers_change_a_manual_call(world, role):
    call = manual_call(world)
    who = world.actor(world.lyon_manager, world.lyon) if role == "lyon_manager" else None
    who = who or actor(world, role)
    with pytest.raises(PermissionDenied):
        services.call_update_manual(by=who, call=call, **{**VALUES, "name": "Détourné"})
    with pytest.raises(PermissionDenied):
        services.call_set_live(by=who, call=call, live=False)
    stored = Call.objects.get(pk=call.pk)
    assert (stored.name, stored.is_live) == (VALUES["name"], True)


def test_an_imported_call_is_not_edited_here(world):
    imported = make_call("Aide importée", source="aides-territoires")
    with pytest.raises(PermissionDenied):
        services.call_update_manual(by=actor(world), call=imported, **VALUES)
    with pytest.raises(PermissionDenied):
        services.call_set_live(by=actor(world), call=imported, live=False)
    assert Call.objects.get(pk=imported.pk).name == "Aide importée"


def test_a_call_other_clusters_apply_to_stays_public(world):
    call = manual_call(world)
    Application.objects.create(
        cluster=world.lyon, call=call, title="Candidature lyonnaise", kind="individual"
    )
    with pytest.raises(ValidationError) as refusal:
        services.call_update_manual(by=actor(world), call=call, **VALUES, is_public=False)
    assert "D'autres grappes" in str(refusal.value)
    assert Call.objects.get(pk=call.pk).is_public


def test_a_withdrawn_call_leaves_search_matches_and_alerts_and_comes_back(world):
    call = manual_call(world)
    matches_recompute(cluster=world.paris)
    assert CallMatch.objects.filter(call=call).exists()
    services.alert_preference_save(
        by=actor(world, "member_a"), matched_calls=True, threshold=0, frequency="weekly"
    )
    services.call_set_live(by=actor(world), call=call, live=False)

    assert not Call.objects.get(pk=call.pk).is_live
    assert search(world, "studios") == []
    assert not CallMatch.objects.filter(call=call).exists()
    matches_recompute(cluster=world.paris)
    assert not CallMatch.objects.filter(call=call).exists()
    assert alerts.alerts_send(frequency="weekly") == 0
    assert not AlertDelivery.objects.exists()
    with pytest.raises(ValidationError):
        services.application_create(
            by=actor(world), call=call, title="Trop tard", participants=[], kind="individual"
        )
    # Its page stays reachable from the cluster (applications link to it), and the managers
    # find it in their list of manual calls.
    assert selectors.call_get(actor=actor(world), pk=call.pk) == call
    assert list(selectors.manual_call_list(actor=actor(world))) == [call]
    assert AuditEntry.objects.filter(action="call.withdraw").count() == 1

    services.call_set_live(by=actor(world), call=call, live=True)
    assert search(world, "studios") == [Call.objects.get(pk=call.pk)]
    matches_recompute(cluster=world.paris)
    assert CallMatch.objects.filter(call=call).exists()
    assert AuditEntry.objects.filter(action="call.publish").count() == 1


def test_withdrawing_twice_records_once(world):
    call = manual_call(world)
    services.call_set_live(by=actor(world), call=call, live=False)
    services.call_set_live(by=actor(world), call=call, live=False)
    assert AuditEntry.objects.filter(action="call.withdraw").count() == 1


# --- Pages ---------------------------------------------------------------------------------


def test_the_edit_page_is_prefilled_and_saves(client, world):
    call = manual_call(world)
    client.force_login(world.manager)
    url = f"/c/paris/manage/calls/{call.pk}/update/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["perimeter"] == "dep:75"
    assert form.initial["financers"] == "Mairie du 18e"
    assert form.initial["name"] == VALUES["name"]
    assert "Modifier l'appel" in page.content.decode()
    data = {
        "name": "Aide aux studios, nouvelle session",
        "perimeter": "dep:75",
        "financers": "Mairie du 18e; Région",
        "targeted_audiences": ["association"],
        "aid_types": ["grant"],
        "categories": "Spectacle vivant",
        "submission_deadline": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
        "is_public": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == call.url_in(world.paris)
    stored = Call.objects.get(pk=call.pk)
    assert stored.name == "Aide aux studios, nouvelle session"
    assert stored.financers == ["Mairie du 18e", "Région"]
    assert stored.targeted_audiences == ["association"]


def test_the_edit_page_refuses_a_bad_form_and_changes_nothing(client, world):
    call = manual_call(world)
    client.force_login(world.manager)
    response = client.post(
        f"/c/paris/manage/calls/{call.pk}/update/",
        {"name": "", "perimeter": "dep:75"},
    )
    assert response.status_code == 200 and response.context["form"].errors["name"]
    assert Call.objects.get(pk=call.pk).name == VALUES["name"]


@pytest.mark.parametrize(
    ("role", "status"), [("member_a", 403), ("observer", 403), ("lyon_manager", 404)]
)
def test_the_edit_pages_refuse_others(client, world, role, status):
    call = manual_call(world)
    client.force_login(getattr(world, role))
    base = f"/c/{'lyon' if role == 'lyon_manager' else 'paris'}/manage/calls/{call.pk}"
    assert client.get(f"{base}/update/").status_code == status
    assert client.post(f"{base}/live/", {"live": "0"}).status_code == status
    assert Call.objects.get(pk=call.pk).is_live


def test_an_imported_call_has_no_edit_page(client, world):
    imported = make_call("Aide importée", source="aides-territoires")
    client.force_login(world.manager)
    assert client.get(f"/c/paris/manage/calls/{imported.pk}/update/").status_code == 404
    detail = client.get(f"/c/paris/calls/{imported.pk}/").content.decode()
    assert "Retirer du catalogue" not in detail


def test_withdraw_and_restore_from_the_call_page(client, world):
    call = manual_call(world)
    client.force_login(world.manager)
    detail = client.get(f"/c/paris/calls/{call.pk}/").content.decode()
    assert "Retirer du catalogue" in detail and "Modifier" in detail
    response = client.post(f"/c/paris/manage/calls/{call.pk}/live/", {"live": "0"}, follow=True)
    page = response.content.decode()
    assert "a été retiré du catalogue" in page and "Remettre au catalogue" in page
    assert not Call.objects.get(pk=call.pk).is_live
    manage = client.get("/c/paris/manage/calls/").content.decode()
    assert "Aide aux studios" in manage and "retiré" in manage
    client.post(f"/c/paris/manage/calls/{call.pk}/live/", {"live": "1"})
    assert Call.objects.get(pk=call.pk).is_live


def test_a_withdrawn_public_call_leaves_the_public_catalogue(client, world):
    call = manual_call(world)
    assert client.get(f"/calls/{call.pk}/").status_code == 200
    services.call_set_live(by=actor(world), call=call, live=False)
    assert client.get(f"/calls/{call.pk}/").status_code == 404
    assert call.name not in client.get("/calls/", {"q": "studios"}).content.decode()


# --- A cluster's private calls stay with its people -----------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        (None, False),
        ("member_a", False),  # a Paris member looking at Lyon's list
        ("manager", False),
        ("lyon_manager", True),
        ("lyon_member", True),
    ],
)
def test_a_private_call_is_listed_for_its_clusters_people_only(client, world, who, sees):
    services.call_create_manual(
        by=world.actor(world.lyon_manager, world.lyon),
        name="Réservé aux Lyonnais",
        perimeter="fr",
        categories=["Thème confidentiel"],
        is_public=False,
    )
    user = getattr(world, who) if who else None
    if user is not None:
        client.force_login(user)
    page = client.get("/c/lyon/calls/", {"open": "0"}).content.decode()
    assert ("Réservé aux Lyonnais" in page) is sees
    assert ("Thème confidentiel" in page) is sees  # the theme filter's choices too
    headers = {}
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {api_token_create(user=user, name='t')[1]}"
    listed = client.get("/api/clusters/lyon/calls", {"open": "false"}, **headers).json()
    assert ("Réservé aux Lyonnais" in [c["name"] for c in listed["items"]]) is sees
    assert "Réservé aux Lyonnais" not in client.get("/calls/", {"open": "0"}).content.decode()

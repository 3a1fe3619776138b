"""Pages of the calls app: the access matrix, search and filters, forms and refusals."""

import datetime as dt
from decimal import Decimal
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grappe.calls import alerts, services
from grappe.calls.matching import matches_recompute
from grappe.calls.models import AlertPreference, Application, Call, CallSource, SavedSearch
from tests.calls.conftest import AT_PAGE, DATA, make_call
from tests.matrix import LOGIN, assert_pages, expect

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world):
    public = make_call("Aide aux studios d'enregistrement", where="paris")
    private = services.call_create_manual(
        by=world.actor(world.lyon_manager, world.lyon),
        name="Appel réservé à Lyon",
        perimeter="fr",
        is_public=False,
    )
    matches_recompute(cluster=world.paris)
    application = services.application_create(
        by=world.actor(world.manager),
        call=public,
        title="Studios partagés",
        participants=[(world.org_a, "lead", 1), (world.org_b, "partner", 1)],
        budget_total=Decimal("900.00"),
    )
    document = services.application_document_add(
        by=world.actor(world.manager),
        application=application,
        title="Budget",
        upload=SimpleUploadedFile("b.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
    )
    individual = services.application_create(
        by=world.actor(world.member_b),
        call=public,
        kind="individual",
        title="Album de Beta",
        participants=[(world.org_b, "lead", 1)],
    )
    return {
        "public": public.pk,
        "private": private.pk,
        "app": application.pk,
        "doc": document.pk,
        "individual": individual.pk,
    }


PAGES = [
    ("public catalogue", "/calls/", expect(default=200)),
    ("public call", "/calls/{public}/", expect(default=200)),
    ("other cluster's private call, public page", "/calls/{private}/", expect(default=404)),
    ("cluster calls", "/c/paris/calls/", expect(default=200)),
    ("cluster call", "/c/paris/calls/{public}/", expect(default=200)),
    (
        "lyon's private call via paris",
        "/c/paris/calls/{private}/",
        expect(default=404),
    ),
    (
        "my matches",
        "/c/paris/calls/matches/",
        expect(default=404, anonymous=LOGIN, member_a=200, member_b=200, manager=200, observer=403),
    ),
    (
        "alerts",
        "/c/paris/calls/alerts/",
        expect(default=200, anonymous=LOGIN, outsider=404, lyon_manager=404),
    ),
    (
        "applications",
        "/c/paris/applications/",
        expect(default=200, anonymous=LOGIN, outsider=404, lyon_manager=404),
    ),
    (
        "collective application",
        "/c/paris/applications/{app}/",
        expect(default=404, anonymous=LOGIN, member_a=200, member_b=200, manager=200, observer=403),
    ),
    (
        "another firm's individual application",
        "/c/paris/applications/{individual}/",
        expect(default=404, anonymous=LOGIN, member_b=200, manager=200, observer=403),
    ),
    (
        "application pdf",
        "/c/paris/applications/{app}/export.pdf",
        expect(default=404, anonymous=LOGIN, member_a=200, member_b=200, manager=200, observer=403),
    ),
    (
        "application xlsx",
        "/c/paris/applications/{app}/export.xlsx",
        expect(default=404, anonymous=LOGIN, member_a=200, member_b=200, manager=200, observer=403),
    ),
    (
        "application document",
        "/c/paris/applications/{app}/documents/{doc}/",
        expect(default=404, anonymous=LOGIN, member_a=200, member_b=200, manager=200, observer=403),
    ),
    (
        "paris application via lyon",
        "/c/lyon/applications/{app}/",
        expect(default=404, anonymous=LOGIN, lyon_manager=404),
    ),
    (
        "manage calls",
        "/c/paris/manage/calls/",
        expect(default=403, anonymous=LOGIN, outsider=404, lyon_manager=404, manager=200),
    ),
    (
        "manual entry",
        "/c/paris/manage/calls/create/",
        expect(default=403, anonymous=LOGIN, outsider=404, lyon_manager=404, manager=200),
    ),
    (
        "duplicates",
        "/c/paris/manage/calls/duplicates/",
        expect(default=403, anonymous=LOGIN, outsider=404, lyon_manager=404, manager=200),
    ),
    (
        "sources",
        "/c/paris/manage/calls/sources/",
        expect(default=403, anonymous=LOGIN, outsider=404, lyon_manager=404, manager=200),
    ),
]


@pytest.mark.parametrize(("label", "url", "codes"), PAGES, ids=[p[0] for p in PAGES])
def test_pages(client, world, scene, label, url, codes):
    assert_pages(client, world, url.format(**scene), codes, label=label)


def test_the_calls_page_filters_by_territory_audience_and_query(client, world):
    from grappe.calls import importers

    importers.calls_import(location=str(AT_PAGE), fmt="aides-territoires")
    importers.calls_import(location=str(DATA / "calls.csv"), fmt="csv")
    body = unescape(
        client.get("/calls/?open=0&territory=75118&audience=association").content.decode()
    )
    assert "Fonds de soutien à l'expression radiophonique" in body  # France, associations
    assert "Soutien aux initiatives associatives locales" not in body  # Montreuil
    assert "Prêt d'honneur" not in body  # companies only
    body = unescape(client.get("/c/paris/calls/?q=disquaire&open=0").content.decode())
    assert "Aide aux disquaires et librairies indépendants parisiens" in body
    assert "1 appel" in body
    htmx = client.get("/c/paris/calls/?q=radio", headers={"HX-Request": "true"})
    assert "<html" not in htmx.content.decode() and "FSER" in htmx.content.decode()


def test_a_member_sees_its_matches_with_reasons_but_not_another_firms(client, world, scene):
    client.force_login(world.member_a)
    body = client.get("/c/paris/calls/matches/").content.decode()
    assert "Aide aux studios d&#x27;enregistrement" in body
    assert "Appel départemental" in body
    other = client.get(f"/c/paris/calls/matches/?organisation={world.org_b.pk}")
    assert other.status_code == 404
    client.force_login(world.manager)
    body = client.get(f"/c/paris/calls/matches/?organisation={world.org_b.pk}").content.decode()
    assert "Label Beta" in body


def test_alert_preferences_and_saved_searches_are_stored(client, world):
    client.force_login(world.member_a)
    response = client.post(
        "/c/paris/calls/alerts/",
        {"is_active": "on", "matched_calls": "on", "threshold": "35", "frequency": "weekly"},
    )
    assert response.status_code == 302
    preference = AlertPreference.objects.get(user=world.member_a)
    assert (preference.threshold, preference.frequency) == (35, "weekly")
    bad = client.post(
        "/c/paris/calls/alerts/",
        {"matched_calls": "on", "threshold": "300", "frequency": "weekly"},
    )
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    assert AlertPreference.objects.get(user=world.member_a).threshold == 35
    response = client.post(
        "/c/paris/calls/alerts/searches/", {"q": "résidence", "territory": "75118", "name": ""}
    )
    assert response.status_code == 302
    search = SavedSearch.objects.get(user=world.member_a)
    assert search.query == "résidence" and search.filters == {"territory": "75118"}
    client.post(f"/c/paris/calls/alerts/searches/{search.pk}/delete/")
    assert not SavedSearch.objects.exists()


def test_the_calendar_feed_needs_a_valid_token(client, world, scene):
    token = alerts.calendar_token(
        user=world.member_a, cluster=world.paris, organisation=world.org_a
    )
    response = client.get(f"/c/paris/calls/calendar/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VALARM" in response.content
    assert client.get(f"/c/paris/calls/calendar/{token}x.ics").status_code == 404
    assert client.get(f"/c/lyon/calls/calendar/{token}.ics").status_code == 404


def test_a_manager_opens_a_collective_application_through_the_form(client, world):
    call = make_call()
    client.force_login(world.manager)
    page = client.get(f"/c/paris/applications/create/?call={call.pk}&org={world.org_a.pk}")
    assert page.status_code == 200 and "Studio Alpha" in page.content.decode()
    response = client.post(
        "/c/paris/applications/create/",
        {
            "call": call.pk,
            "title": "Studios partagés",
            "organisations": [world.org_a.pk, world.org_b.pk],
            "lead": world.org_b.pk,
            "budget_total": "1000",
            "requested_amount": "500",
            "co_financing": "0",
        },
    )
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    assert application.kind == "collective"
    assert application.participants.get(role="lead").organisation == world.org_b
    response = client.post(
        application.get_absolute_url(),
        {
            "action": "budget",
            "budget_total": "1000.00",
            "requested_amount": "500",
            "co_financing": "100",
            **{f"weight-{p.pk}": "1" for p in application.participants.all()},
        },
    )
    assert response.status_code == 302
    assert sorted(application.participants.values_list("budget_share", flat=True)) == [
        Decimal("500.00"),
        Decimal("500.00"),
    ]
    refused = client.post(
        application.get_absolute_url(), {"action": "budget", "budget_total": "-5"}
    )
    assert refused.status_code == 400 and "montant" in refused.content.decode()


def test_a_member_cannot_open_a_collective_application(client, world):
    call = make_call()
    client.force_login(world.member_a)
    response = client.post(
        "/c/paris/applications/create/",
        {
            "call": call.pk,
            "title": "Tentative",
            "organisations": [world.org_a.pk, world.org_b.pk],
            "budget_total": "0",
            "requested_amount": "0",
        },
    )
    assert response.status_code == 200  # org_b is not among the member's choices
    assert not Application.objects.exists()


def test_the_pdf_and_xlsx_exports_carry_the_figures(client, world, scene):
    client.force_login(world.manager)
    pdf = client.get(f"/c/paris/applications/{scene['app']}/export.pdf")
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"/c/paris/applications/{scene['app']}/export.xlsx")
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(xlsx.content))
    assert book.sheetnames == ["Dossier", "Participants", "Tâches"]
    rows = list(book["Participants"].values)
    assert {r[0] for r in rows[1:3]} == {"Studio Alpha", "Label Beta"}
    assert rows[-1][6] == 900


def test_a_manager_imports_a_file_and_a_bad_one_is_refused(client, world):
    client.force_login(world.manager)
    with open(DATA / "calls.csv", "rb") as handle:
        response = client.post(
            "/c/paris/manage/calls/", {"file": handle, "format": "csv", "default_perimeter": ""}
        )
    assert response.status_code == 302
    assert Call.objects.filter(source="csv").count() == 4
    with open(DATA / "calls_malformed.csv", "rb") as handle:
        response = client.post("/c/paris/manage/calls/", {"file": handle, "format": "csv"})
    assert response.status_code == 400
    assert "Ligne 3" in response.content.decode()
    assert Call.objects.count() == 4


def test_a_manager_enters_a_call_and_registers_a_source(client, world):
    client.force_login(world.manager)
    deadline = timezone.localdate() + dt.timedelta(days=20)
    response = client.post(
        "/c/paris/manage/calls/create/",
        {
            "name": "Fête de la musique 2027 : scènes de quartier",
            "perimeter": "com:75118",
            "targeted_audiences": ["association"],
            "aid_types": ["grant"],
            "financers": "Mairie du 18e",
            "submission_deadline": deadline.isoformat(),
            "is_public": "on",
        },
    )
    call = Call.objects.get(source="manual")
    assert response.status_code == 302 and response["Location"] == call.url_in(world.paris)
    assert call.financers == ["Mairie du 18e"] and call.is_public
    response = client.post(
        "/c/paris/manage/calls/sources/",
        {"name": "Aides-territoires musique", "url": "https://example.org/api/aids/?text=musique",
         "format": "aides-territoires"},
    )  # fmt: skip
    assert response.status_code == 302
    assert CallSource.objects.get().cluster == world.paris
    again = client.post(
        "/c/paris/manage/calls/sources/",
        {"name": "Bis", "url": "https://example.org/api/aids/?text=musique", "format": "csv"},
    )
    assert again.status_code == 200 and CallSource.objects.count() == 1


def test_the_merge_page_merges(client, world):
    a = make_call("Aide à la production phonographique", source="aides-territoires")
    b = make_call("Production phonographique : aide", source="csv")
    client.force_login(world.manager)
    page = client.get("/c/paris/manage/calls/duplicates/").content.decode()
    assert "Garder celui-ci" in page
    client.post("/c/paris/manage/calls/duplicates/", {"keep": a.pk, "other": b.pk})
    b.refresh_from_db()
    assert b.merged_into_id == a.pk
    client.force_login(world.member_a)
    response = client.post("/c/paris/manage/calls/duplicates/", {"keep": b.pk, "other": a.pk})
    assert response.status_code == 403

"""Writes of the calls app: manual calls, merges, alerts and digests, applications."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from grappe.calls import alerts, selectors, services
from grappe.calls.matching import matches_recompute
from grappe.calls.models import (
    AlertDelivery,
    AlertPreference,
    Application,
    Call,
    CallMatch,
    DuplicateDismissal,
    Participant,
)
from grappe.core.models import AuditEntry
from grappe.engine.call_duplicates import CallKey, near_duplicates, title_similarity
from tests.calls.conftest import AT_PAGE, DATA, make_call

pytestmark = pytest.mark.django_db


def actor(world, role="manager"):
    return world.actor(getattr(world, role))


# --- Manual entry, merge, duplicates -----------------------------------------------------


def test_a_manager_enters_a_call_public_or_private(world):
    call = services.call_create_manual(
        by=actor(world),
        name="Appel à projets « Musique en Goutte d'Or »",
        perimeter="com:75118",
        targeted_audiences=["association", "private_sector"],
        aid_types=["grant"],
        financers=["Mairie du 18e"],
        submission_deadline=timezone.localdate() + dt.timedelta(days=40),
        is_public=False,
    )
    assert call.source == "manual" and call.owner_cluster == world.paris
    assert call.perimeter_keys == " com:75118 "
    assert " goutt " in call.search_document or " goutte " in call.search_document
    assert AuditEntry.objects.filter(action="call.create", cluster=world.paris).count() == 1
    assert not Call.objects.public().filter(pk=call.pk).exists()
    assert Call.objects.visible_in(world.paris).filter(pk=call.pk).exists()
    assert not Call.objects.visible_in(world.lyon).filter(pk=call.pk).exists()


@pytest.mark.parametrize("role", ["member_a", "observer", "lyon_manager"])
def test_only_a_manager_of_the_cluster_enters_a_call(world, role):
    with pytest.raises(PermissionDenied):
        services.call_create_manual(by=actor(world, role), name="Appel", perimeter="fr")
    assert Call.objects.count() == 0


def test_a_manual_call_with_bad_values_is_refused(world):
    with pytest.raises(ValidationError):
        services.call_create_manual(by=actor(world), name="  ", perimeter="fr")
    with pytest.raises(ValidationError):
        services.call_create_manual(by=actor(world), name="Appel", perimeter="dep:999")
    with pytest.raises(ValidationError):
        services.call_create_manual(
            by=actor(world), name="Appel", perimeter="fr", targeted_audiences=["martians"]
        )
    with pytest.raises(ValidationError):
        services.call_create_manual(
            by=actor(world),
            name="Appel",
            perimeter="fr",
            start_date=dt.date(2027, 2, 1),
            submission_deadline=dt.date(2027, 1, 1),
        )
    assert Call.objects.count() == 0


def test_near_duplicates_across_sources_are_found_and_merged(world):
    from grappe.calls import importers

    importers.calls_import(location=str(AT_PAGE), fmt="aides-territoires")
    importers.calls_import(location=str(DATA / "calls.csv"), fmt="csv")
    pairs = selectors.duplicate_candidates(actor=actor(world))
    found = {(a.source_id, b.source_id) for a, b, _s in pairs}
    assert ("154873", "PM-2026-01") in found
    keep = Call.objects.get(source_id="154873")
    other = Call.objects.get(source_id="PM-2026-01")
    application = Application.objects.create(
        cluster=world.paris, call=other, kind="individual", title="Album"
    )
    services.call_merge(by=actor(world), keep=keep, duplicate=other)
    other.refresh_from_db()
    application.refresh_from_db()
    assert other.merged_into == keep and application.call == keep
    assert not Call.objects.current().filter(pk=other.pk).exists()
    assert AuditEntry.objects.filter(action="call.merge").exists()
    assert not selectors.duplicate_candidates(actor=actor(world))


def test_a_dismissed_pair_is_not_suggested_again(world):
    a = make_call("Aide à la production phonographique", source="aides-territoires")
    b = make_call("Production phonographique : aide", source="csv")
    assert selectors.duplicate_candidates(actor=actor(world))
    services.duplicate_dismiss(by=actor(world), first=b, second=a)
    assert DuplicateDismissal.objects.get().first_id == min(a.pk, b.pk)
    assert selectors.duplicate_candidates(actor=actor(world)) == []


def test_merging_is_refused_to_members_and_for_the_same_call(world):
    a = make_call("Aide A", source="aides-territoires")
    b = make_call("Aide A", source="csv")
    with pytest.raises(PermissionDenied):
        services.call_merge(by=actor(world, "member_a"), keep=a, duplicate=b)
    with pytest.raises(ValidationError):
        services.call_merge(by=actor(world), keep=a, duplicate=a)
    assert Call.objects.filter(merged_into__isnull=False).count() == 0


def test_duplicate_rules():
    day = dt.date(2027, 1, 15)
    cnm = ("Centre national de la musique (CNM)",)
    calls = [
        CallKey(1, "aides-territoires", "Aide à la production phonographique", day, cnm),
        CallKey(2, "csv", "Production phonographique – session d'hiver 2026", day, ("CNM",)),
        CallKey(3, "rss", "Aide à la production phonographique", dt.date(2027, 2, 1), cnm),
        CallKey(4, "csv", "Aide à la production phonographique", day, ("Région Bretagne",)),
        CallKey(5, "aides-territoires", "Aide à la production phonographique", day, cnm),
    ]
    pairs = {(p.first, p.second) for p in near_duplicates(calls)}
    assert (1, 2) in pairs  # other source, same deadline and funder
    assert (1, 3) not in pairs  # another deadline
    assert (1, 4) not in pairs  # another funder
    assert (1, 5) not in pairs  # same source: re-imports update by id instead
    assert title_similarity("", "Aide") == 0.0


@given(st.text(max_size=60), st.text(max_size=60))
def test_title_similarity_is_symmetric_and_bounded(a, b):
    value = title_similarity(a, b)
    assert 0.0 <= value <= 1.0
    assert value == pytest.approx(title_similarity(b, a), abs=0.35)


# --- Alerts and digests ------------------------------------------------------------------


def _matched_world(world):
    call = make_call("Aide à l'équipement des studios d'enregistrement", where="paris")
    matches_recompute(cluster=world.paris)
    return call


def test_a_weekly_digest_sends_matched_calls_once(world, django_capture_on_commit_callbacks):
    call = _matched_world(world)
    services.alert_preference_save(
        by=actor(world, "member_a"), matched_calls=True, threshold=0, frequency="weekly"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.alerts_send(frequency="weekly") == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["member_a@example.org"]
    assert call.name in message.body
    assert f"/c/paris/calls/{call.pk}/" in message.body
    assert "pertinence" in message.body and "département (Paris)" in message.body
    assert message.extra_headers["List-Unsubscribe"]
    assert AlertDelivery.objects.filter(user=world.member_a, call=call).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.alerts_send(frequency="weekly") == 0
    assert len(mail.outbox) == 1
    assert AlertDelivery.objects.count() == 1


def test_the_sent_log_refuses_the_same_call_twice(world):
    call = _matched_world(world)
    AlertDelivery.objects.create(
        user=world.member_a, cluster=world.paris, call=call, sent_at=timezone.now()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        AlertDelivery.objects.create(
            user=world.member_a, cluster=world.paris, call=call, sent_at=timezone.now()
        )
    assert AlertDelivery.objects.count() == 1


def test_the_threshold_frequency_and_other_firms_are_respected(world):
    _matched_world(world)
    services.alert_preference_save(
        by=actor(world, "member_a"), matched_calls=True, threshold=100, frequency="daily"
    )
    services.alert_preference_save(
        by=actor(world, "member_b"), matched_calls=True, threshold=0, frequency="immediate"
    )
    assert alerts.alerts_send(frequency="daily") == 0  # nothing reaches 100 %
    assert alerts.alerts_send(frequency="weekly") == 0
    assert alerts.alerts_send(frequency="immediate") == 1
    assert set(AlertDelivery.objects.values_list("user__email", flat=True)) == {
        "member_b@example.org"
    }


def test_a_saved_search_feeds_the_digest(world, django_capture_on_commit_callbacks):
    make_call("Résidences de création musicale", where="idf")
    make_call("Aide au cinéma d'animation", where="idf")
    services.saved_search_create(
        by=actor(world, "manager"), name="Résidences", query="résidence", filters={}
    )
    services.alert_preference_save(
        by=actor(world), matched_calls=False, threshold=50, frequency="daily"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.alerts_send(frequency="daily") == 1
    body = mail.outbox[0].body
    assert "Résidences de création musicale" in body and "cinéma" not in body
    assert "Votre recherche « Résidences »" in body


def test_nobody_outside_the_cluster_sets_alerts_and_empty_searches_are_refused(world):
    with pytest.raises(PermissionDenied):
        services.alert_preference_save(
            by=actor(world, "outsider"), matched_calls=True, threshold=10, frequency="daily"
        )
    with pytest.raises(ValidationError):
        services.alert_preference_save(
            by=actor(world, "member_a"), matched_calls=True, threshold=10, frequency="hourly"
        )
    with pytest.raises(ValidationError):
        services.saved_search_create(by=actor(world, "member_a"), name="", query="", filters={})
    assert AlertPreference.objects.count() == 0


def test_a_person_who_left_gets_no_digest(world):
    _matched_world(world)
    services.alert_preference_save(
        by=actor(world, "member_a"), matched_calls=True, threshold=0, frequency="weekly"
    )
    world.org_a.memberships.update(status="left")
    assert alerts.alerts_send(frequency="weekly") == 0
    assert AlertDelivery.objects.count() == 0


# --- Calendar ----------------------------------------------------------------------------


def test_the_member_calendar_has_deadlines_with_reminders(world):
    call = _matched_world(world)
    token = alerts.calendar_token(
        user=world.member_a, cluster=world.paris, organisation=world.org_a
    )
    scope = alerts.calendar_scope(token=token, cluster=world.paris)
    assert scope is not None
    body = alerts.calendar_ics(
        actor=scope[0], organisation_id=scope[1], today=timezone.localdate()
    ).decode()
    assert "BEGIN:VCALENDAR" in body and "BEGIN:VEVENT" in body
    assert call.submission_deadline.strftime("%Y%m%d") in body
    assert body.count("BEGIN:VALARM") == 2 and "TRIGGER:-P7D" in body


def test_calendar_tokens_are_checked(world):
    token = alerts.calendar_token(
        user=world.member_b, cluster=world.paris, organisation=world.org_a
    )
    assert alerts.calendar_scope(token=token, cluster=world.paris) is None  # another firm
    assert alerts.calendar_scope(token=token + "x", cluster=world.paris) is None
    mine = alerts.calendar_token(user=world.member_a, cluster=world.paris, organisation=world.org_a)
    assert alerts.calendar_scope(token=mine, cluster=world.lyon) is None
    cluster_feed = alerts.calendar_token(
        user=world.member_a, cluster=world.paris, organisation=None
    )
    assert alerts.calendar_scope(token=cluster_feed, cluster=world.paris) is None
    manager_feed = alerts.calendar_token(user=world.manager, cluster=world.paris, organisation=None)
    assert alerts.calendar_scope(token=manager_feed, cluster=world.paris)[1] is None


# --- Applications ------------------------------------------------------------------------


def _collective(world, **extra):
    call = make_call("Projets collectifs des studios", where="paris")
    return services.application_create(
        by=actor(world),
        call=call,
        title="Studios partagés du 18e",
        participants=[(world.org_a, "lead", 2), (world.org_b, "partner", 1)],
        budget_total=Decimal("1000.00"),
        requested_amount=Decimal("600.00"),
        co_financing=Decimal("100.00"),
        **extra,
    )


def test_a_manager_opens_a_collective_application_with_a_cent_exact_split(world):
    application = _collective(world)
    assert application.kind == "collective" and application.status == "draft"
    shares = dict(
        Participant.objects.filter(application=application).values_list(
            "organisation_id", "budget_share"
        )
    )
    assert shares == {world.org_a.pk: Decimal("666.67"), world.org_b.pk: Decimal("333.33")}
    assert sum(shares.values()) == Decimal("1000.00")
    assert application.deadline == application.call.submission_deadline
    assert AuditEntry.objects.filter(action="application.create").count() == 1


def test_the_budget_split_always_adds_up(world):
    application = _collective(world)
    participants = list(application.participants.all())

    @settings(max_examples=30, deadline=None)
    @given(
        total=st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False),
        weights=st.lists(st.integers(min_value=1, max_value=1000), min_size=2, max_size=2),
    )
    def check(total, weights):
        services.application_update_budget(
            by=actor(world),
            application=application,
            budget_total=total,
            requested_amount=0,
            co_financing=0,
            weights={p.pk: w for p, w in zip(participants, weights, strict=True)},
        )
        stored = list(application.participants.values_list("budget_share", flat=True))
        assert sum(stored) == total

    check()


@pytest.mark.parametrize(
    ("participants", "message"),
    [
        ([("a", "lead", 1)], "au moins deux"),
        ([("a", "lead", 1), ("a", "partner", 1)], "deux fois"),
        ([("a", "partner", 1), ("b", "partner", 1)], "chef de file"),
        ([("a", "lead", 1), ("lyon", "partner", 1)], "pas membres"),
        ([("a", "lead", 0), ("b", "partner", 0)], ""),
    ],
)
def test_bad_collective_applications_are_refused(world, participants, message):
    orgs = {"a": world.org_a, "b": world.org_b, "lyon": world.org_lyon}
    call = make_call()
    with pytest.raises(ValidationError, match=message):
        services.application_create(
            by=actor(world),
            call=call,
            title="Projet",
            participants=[(orgs[k], role, w) for k, role, w in participants],
            budget_total=Decimal("100.00"),
        )
    assert Application.objects.count() == 0


def test_members_open_only_individual_applications_for_their_own_firm(world):
    call = make_call()
    mine = services.application_create(
        by=actor(world, "member_a"),
        call=call,
        kind="individual",
        title="Notre album",
        participants=[(world.org_a, "partner", 1)],
    )
    assert mine.participants.get().role == "lead"
    with pytest.raises(PermissionDenied):
        services.application_create(
            by=actor(world, "member_a"),
            call=call,
            kind="individual",
            title="Leur album",
            participants=[(world.org_b, "lead", 1)],
        )
    with pytest.raises(PermissionDenied):
        services.application_create(
            by=actor(world, "member_a"),
            call=call,
            title="Collectif",
            participants=[(world.org_a, "lead", 1), (world.org_b, "partner", 1)],
        )
    assert Application.objects.count() == 1


def test_an_application_moves_from_draft_to_paid_with_dates_and_amounts(world):
    application = _collective(world)
    me = actor(world)
    with pytest.raises(ValidationError, match="Impossible"):
        services.application_set_status(by=me, application=application, status="paid")
    services.application_set_status(
        by=me, application=application, status="submitted", on=dt.date(2026, 10, 1)
    )
    with pytest.raises(ValidationError):
        services.application_set_status(by=me, application=application, status="obtained")
    services.application_set_status(
        by=me, application=application, status="obtained", amount=Decimal("550.00")
    )
    services.application_set_status(by=me, application=application, status="paid")
    application.refresh_from_db()
    assert application.status == "paid"
    assert application.submitted_on == dt.date(2026, 10, 1)
    assert application.obtained_amount == application.paid_amount == Decimal("550.00")
    funding = selectors.funding_obtained(cluster=world.paris)
    assert funding["obtained_amount"] == Decimal("550.00")
    assert funding["paid_amount"] == Decimal("550.00")
    assert funding["obtained_count"] == 1
    assert selectors.funding_obtained(cluster=world.lyon)["obtained_amount"] == Decimal("0.00")


def test_only_editors_change_an_application(world):
    application = _collective(world)
    with pytest.raises(PermissionDenied):
        services.application_set_status(
            by=actor(world, "member_a"), application=application, status="submitted"
        )
    with pytest.raises(PermissionDenied):
        services.application_set_status(
            by=actor(world, "lyon_manager", ), application=application, status="submitted"
        )  # fmt: skip
    application.refresh_from_db()
    assert application.status == "draft"


def test_figures_give_the_dossier_its_weight(world):
    world.org_a.size_band = "02"
    world.org_a.save()
    world.org_b.size_band = "11"
    world.org_b.save()
    earlier = _collective(world)
    services.application_set_status(by=actor(world), application=earlier, status="submitted")
    services.application_set_status(
        by=actor(world), application=earlier, status="obtained", amount=Decimal("400.00")
    )
    application = _collective(world)
    participants = {p.organisation_id: p.pk for p in application.participants.all()}
    application = services.application_update_budget(
        by=actor(world),
        application=application,
        budget_total="2000",
        requested_amount="1000",
        co_financing="500",
        turnovers={participants[world.org_a.pk]: "120000"},
    )
    figures = selectors.application_figures(application=application)
    assert figures["firms"] == 2
    assert figures["jobs"] == round(4 + 14.5)
    assert figures["turnover"] == Decimal("120000.00") and figures["turnover_known"] == 1
    assert figures["co_financing"] == Decimal("500.00")
    assert figures["self_financing"] == Decimal("500.00")
    assert figures["previous_funding"] == Decimal("400.00")
    assert figures["shares_total"] == Decimal("2000.00")


def test_documents_are_private_and_checked(world, settings):
    application = _collective(world)
    upload = SimpleUploadedFile("budget.pdf", b"%PDF-1.4 budget", content_type="application/pdf")
    document = services.application_document_add(
        by=actor(world, "member_b"), application=application, title="Budget", upload=upload
    )
    assert document.file.name.startswith("calls/applications/")
    assert (settings.PRIVATE_ROOT / document.file.name).exists()
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.application_document_add(
            by=actor(world, "member_a"), application=application, title="x", upload=fake
        )
    with pytest.raises(PermissionDenied):
        services.application_document_add(
            by=actor(world, "observer"), application=application, title="x", upload=upload
        )
    assert application.documents.count() == 1


def test_tasks_are_given_to_participants(world):
    application = _collective(world)
    task = services.application_task_add(
        by=actor(world),
        application=application,
        title="Rassembler les devis",
        due_on=timezone.localdate() + dt.timedelta(days=10),
        organisation=world.org_b,
    )
    with pytest.raises(ValidationError):
        services.application_task_add(
            by=actor(world), application=application, title="x", organisation=world.org_lyon
        )
    services.application_task_toggle(by=actor(world, "member_b"), task=task)
    task.refresh_from_db()
    assert task.done_at is not None
    assert application.tasks.count() == 1


def test_application_visibility(world):
    application = _collective(world)
    assert selectors.application_list(actor=actor(world, "member_a")).count() == 1
    assert selectors.application_list(actor=actor(world)).count() == 1
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.application_get(actor=actor(world, "lyon_manager"), pk=application.pk)
    with pytest.raises(Http404):
        selectors.application_list(actor=actor(world, "observer"))


# --- Commands ----------------------------------------------------------------------------


def test_import_calls_command_reports_and_refuses(communes):
    out = io.StringIO()
    call_command("import_calls", str(AT_PAGE), "--format", "aides-territoires", stdout=out)
    assert "8 appels lus" in out.getvalue() and "8 ajoutés" in out.getvalue()
    with pytest.raises(CommandError, match="rien n'a été écrit"):
        call_command(
            "import_calls", str(DATA / "calls_malformed.csv"), "--format", "csv", stdout=out
        )
    assert Call.objects.count() == 8


def test_the_match_job_runs_for_every_cluster(world):
    from grappe.calls.tasks import recompute_all_matches

    make_call()
    result = recompute_all_matches()
    assert set(result) == {"paris", "lyon"}
    assert CallMatch.objects.filter(cluster=world.paris).exists()


def test_indicators_give_monthly_funding_and_submissions(world):
    from grappe.calls.indicators import (
        applications_submitted_in_month,
        funding_obtained_in_month,
    )
    from grappe.core.indicators import indicator

    application = _collective(world)
    services.application_set_status(
        by=actor(world), application=application, status="submitted", on=dt.date(2026, 9, 3)
    )
    services.application_set_status(
        by=actor(world),
        application=application,
        status="obtained",
        on=dt.date(2026, 10, 30),
        amount=Decimal("700.00"),
    )
    assert funding_obtained_in_month(world.paris, dt.date(2026, 10, 1)) == Decimal("700.00")
    assert funding_obtained_in_month(world.paris, dt.date(2026, 11, 1)) == Decimal("0.00")
    assert funding_obtained_in_month(world.lyon, dt.date(2026, 10, 1)) == Decimal("0.00")
    assert applications_submitted_in_month(world.paris, dt.date(2026, 9, 1)) == {
        "Individuelle": 0,
        "Collective": 1,
    }
    assert indicator("calls.funding_obtained").family == "funding"


def test_indicators_give_decisions_and_calls_signalled(world):
    from zoneinfo import ZoneInfo

    from grappe.calls.indicators import (
        applications_decided_in_month,
        calls_signalled_in_month,
    )
    from grappe.calls.models import AlertDelivery

    application = _collective(world)
    for status, day in (("submitted", 3), ("refused", 20)):
        services.application_set_status(
            by=actor(world), application=application, status=status, on=dt.date(2026, 9, day)
        )
    assert applications_decided_in_month(world.paris, dt.date(2026, 9, 1)) == {
        "Obtenues": 0,
        "Refusées": 1,
    }
    assert applications_decided_in_month(world.paris, dt.date(2026, 10, 1)) == {
        "Obtenues": 0,
        "Refusées": 0,
    }
    paris_time = ZoneInfo("Europe/Paris")
    first, second = make_call(), make_call("Aide au disque")
    for user, call, sent in (
        (world.member_a, first, dt.datetime(2026, 9, 1, 0, 30, tzinfo=paris_time)),
        (world.member_b, first, dt.datetime(2026, 9, 15, 8, tzinfo=paris_time)),
        (world.member_a, second, dt.datetime(2026, 8, 31, 23, 30, tzinfo=paris_time)),
    ):
        AlertDelivery.objects.create(user=user, cluster=world.paris, call=call, sent_at=sent)
    assert calls_signalled_in_month(world.paris, dt.date(2026, 9, 1)) == 1  # one call, twice
    assert calls_signalled_in_month(world.paris, dt.date(2026, 8, 1)) == 1
    assert calls_signalled_in_month(world.lyon, dt.date(2026, 9, 1)) == 0

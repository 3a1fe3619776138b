"""The radar as a job: texts from the registry, themes stored, decisions on proposals."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grappe.core.access import Actor
from grappe.core.models import AuditEntry
from grappe.core.texts import SourceText, register_text_source, text_sources
from grappe.insights import selectors, services
from grappe.insights.models import ProposalDecision, RadarRun, RadarText, RadarTheme

pytestmark = pytest.mark.django_db


def compute(world):
    run = RadarRun.objects.create(cluster=world.paris)
    return services.radar_compute(run=run)


def test_request_queues_one_job_that_computes_the_themes(
    radar_world, sync_jobs, django_capture_on_commit_callbacks
):
    manager = radar_world.actor(radar_world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.radar_request(by=manager)
    run.refresh_from_db()
    assert run.status == RadarRun.Status.DONE
    assert run.text_count == 8 and run.sources["members.posts"] == 8  # 3 of the world
    labels = {t.label: t for t in run.themes.all()}
    storage = labels["Local de stockage"]
    assert (storage.members, storage.size, storage.rank) == (3, 3, 1)
    assert storage.proposal_kind == "cost_pool"
    assert storage.saving_monthly is not None and storage.saving_monthly.as_tuple().exponent == -2
    assert sorted(storage.proposal_organisation_ids) == sorted(
        [radar_world.org_a.pk, radar_world.org_b.pk, radar_world.org_c.pk]
    )
    assert RadarText.objects.filter(run=run, theme=storage).count() == 3
    assert not RadarText.objects.filter(run=run, text__contains="Lyon").exists()
    assert AuditEntry.objects.filter(action="radar.compute", target_id=str(run.pk)).exists()


def test_a_second_request_while_one_waits_reuses_it(radar_world):
    manager = radar_world.actor(radar_world.manager)
    first = services.radar_request(by=manager)  # no commit in this test: stays pending
    assert services.radar_request(by=manager) == first
    assert RadarRun.objects.filter(cluster=radar_world.paris).count() == 1


@pytest.mark.parametrize("who", ["member_a", "observer"])
def test_only_managers_request_the_radar(radar_world, who):
    with pytest.raises(PermissionDenied):
        services.radar_request(by=radar_world.actor(getattr(radar_world, who)))
    assert not RadarRun.objects.exists()


def test_a_failing_source_marks_the_run_failed_with_no_theme(radar_world):
    def broken(cluster):
        raise RuntimeError("source en panne")

    register_text_source("tests.broken", broken)
    try:
        run = RadarRun.objects.create(cluster=radar_world.paris)
        with pytest.raises(RuntimeError):
            services.radar_compute(run=run)
    finally:
        text_sources()  # the registry keeps a copy; remove ours
        from grappe.core import texts

        texts._sources.pop("tests.broken")
    run.refresh_from_db()
    assert run.status == RadarRun.Status.FAILED and "source en panne" in run.error
    assert not RadarTheme.objects.filter(run=run).exists()


def test_registered_source_feeds_the_radar(radar_world):
    from grappe.core import texts

    def support(cluster):
        yield SourceText(
            id="1",
            text="Un local de stockage, vite !",
            organisation_id=radar_world.org_a.pk,
            date=None,
            visibility=texts.PRIVATE,
        )

    register_text_source("tests.support", support)
    try:
        run = compute(radar_world)
    finally:
        texts._sources.pop("tests.support")
    text = RadarText.objects.get(run=run, source="tests.support")
    assert text.theme.label == "Local de stockage" and text.visibility == "private"
    # Unregistered since, it is still counted under its name.
    assert ("tests.support", 1) in selectors.radar_run_sources(run)
    assert texts.text_source_label("members.posts") == "besoins et offres des membres"
    assert texts.text_source_label("pooling.refused_bookings") == (
        "notes des réservations refusées faute de place"
    )


def test_notes_of_bookings_refused_for_lack_of_room_reach_the_radar(radar_world):
    from grappe.pooling.services import bookings
    from tests.pooling.conftest import MONDAY, NOW, at, make_resource

    room = make_resource(radar_world.paris)

    def book(who, org, note=""):
        return bookings.booking_create(
            resource=room,
            organisation=org,
            by=radar_world.actor(who),
            starts_at=at(MONDAY, "10:00"),
            ends_at=at(MONDAY, "12:00"),
            note=note,
            now=NOW,
        )

    book(radar_world.member_a, radar_world.org_a)
    with pytest.raises(ValidationError):  # the slot is taken
        book(radar_world.member_b, radar_world.org_b, "Besoin d'un local de stockage du matériel")
    run = compute(radar_world)
    stored = RadarText.objects.get(run=run, source="pooling.refused_bookings")
    assert (stored.visibility, stored.organisation_id) == ("private", radar_world.org_b.pk)
    assert stored.theme is not None and stored.theme.label == "Local de stockage"
    assert run.sources["pooling.refused_bookings"] == 1
    theme_texts = selectors.radar_theme_texts(
        actor=radar_world.actor(radar_world.manager), theme=stored.theme
    )
    assert stored in list(theme_texts)


def test_accepting_a_proposal_stores_a_draft_for_pooling(radar_world):
    run = compute(radar_world)
    theme = run.themes.get(label="Local de stockage")
    manager = radar_world.actor(radar_world.manager)
    decision = services.proposal_accept(
        theme=theme,
        by=manager,
        service_kind="cost_pool",
        title="Local de stockage partagé",
        organisation_ids=[radar_world.org_a.pk, radar_world.org_b.pk],
        notes="Visiter l'entrepôt de Saint-Ouen",
    )
    assert decision.decision == "accepted"
    assert set(decision.organisations.all()) == {radar_world.org_a, radar_world.org_b}
    assert decision.estimated_saving_monthly == theme.saving_monthly
    drafts = selectors.pooled_service_drafts(actor=manager)
    assert list(drafts) == [decision]
    entry = AuditEntry.objects.get(action="radar.proposal.accept")
    assert entry.actor == radar_world.manager and entry.changes["kind"] == "cost_pool"
    # Taken up by the pooling app: no longer a draft.
    services.proposal_take_up(decision=decision, by=manager, reference="cost-pool:7")
    assert not selectors.pooled_service_drafts(actor=manager).exists()
    with pytest.raises(ValidationError):
        services.proposal_take_up(decision=decision, by=manager, reference="cost-pool:8")


def test_accept_refusals_change_nothing(radar_world):
    run = compute(radar_world)
    theme = run.themes.get(label="Local de stockage")
    manager = radar_world.actor(radar_world.manager)
    cases = [
        ({"service_kind": "spaceship"}, "service_kind"),
        ({"title": "  "}, "title"),
        ({"organisation_ids": [radar_world.org_a.pk]}, "organisations"),
        ({"organisation_ids": [radar_world.org_a.pk, radar_world.org_lyon.pk]}, "organisations"),
    ]
    for change, field in cases:
        kwargs = {
            "service_kind": "cost_pool",
            "title": "Local",
            "organisation_ids": [radar_world.org_a.pk, radar_world.org_b.pk],
            **change,
        }
        with pytest.raises(ValidationError) as err:
            services.proposal_accept(theme=theme, by=manager, **kwargs)
        assert field in err.value.message_dict
    with pytest.raises(PermissionDenied):
        services.proposal_accept(
            theme=theme,
            by=radar_world.actor(radar_world.member_a),
            service_kind="cost_pool",
            title="Local",
            organisation_ids=[radar_world.org_a.pk, radar_world.org_b.pk],
        )
    with pytest.raises(PermissionDenied):
        lyon = radar_world.actor(radar_world.lyon_manager, radar_world.lyon)
        services.proposal_dismiss(theme=theme, by=lyon)
    assert not ProposalDecision.objects.exists()


def test_dismiss_once_then_no_second_decision(radar_world):
    run = compute(radar_world)
    theme = run.themes.get(label="Paie des intermittents")
    manager = radar_world.actor(radar_world.manager)
    decision = services.proposal_dismiss(theme=theme, by=manager, notes="Déjà un prestataire")
    assert (decision.decision, decision.notes) == ("dismissed", "Déjà un prestataire")
    with pytest.raises(ValidationError, match="déjà"):
        services.proposal_accept(
            theme=theme,
            by=manager,
            service_kind="shared_post",
            title="Paie",
            organisation_ids=[radar_world.org_a.pk, radar_world.org_b.pk],
        )
    assert ProposalDecision.objects.count() == 1
    # A later run remembers the decision on the same theme.
    later = compute(radar_world)
    assert selectors.previous_decisions(actor=manager, before=later)[theme.key] == decision


def test_system_actor_job_runs_for_every_cluster(radar_world):
    from grappe.insights.tasks import radar_weekly

    assert radar_weekly() == 2
    lyon_run = RadarRun.objects.get(cluster=radar_world.lyon)
    assert lyon_run.text_count == 1 and lyon_run.theme_count == 0
    assert Actor.system(radar_world.paris).is_manager

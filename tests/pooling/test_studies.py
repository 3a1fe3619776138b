"""Pooled studies and group purchases: pledges, the falling price, the deadline, results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from grappe.core.models import AuditEntry
from grappe.pooling import tasks
from grappe.pooling.models import Pledge, Study, StudyDocument
from grappe.pooling.selectors import studies as selectors
from grappe.pooling.services import studies as services
from tests.factories import make_member, make_org

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = dt.date(2030, 3, 1)
DEADLINE = dt.date(2030, 3, 31)


@pytest.fixture
def study(world):
    return services.study_create(
        by=world.actor(world.manager),
        kind="study",
        title="Étude de marché : les lieux de musique live du 18e",
        description="Recensement, jauges, programmation et publics des salles du 18e.",
        total_price=D("9000.00"),
        min_participants=3,
        pledge_deadline=DEADLINE,
        late_price=D("3500.00"),
        alone_price=D("9000.00"),
        today=TODAY,
    )


@pytest.fixture
def third(world):
    org = make_org("Salle Gamma")
    make_member(world.paris, org)
    return org


def pledge(world, study, org, user="manager", today=TODAY):
    return services.pledge_add(
        study=study, organisation=org, by=world.actor(getattr(world, user)), today=today
    )


def test_the_price_per_participant_falls_as_firms_pledge(world, study, third):
    assert selectors.study_price(study).per_participant == D("9000.00")
    pledge(world, study, world.org_a, user="member_a")
    assert selectors.study_price(study).per_participant == D("9000.00")
    assert selectors.study_price(study).if_one_more == D("4500.00")
    pledge(world, study, world.org_b, user="member_b")
    pledge(world, study, third)
    price = selectors.study_price(study)
    assert (price.participants, price.per_participant, price.missing) == (3, D("3000.00"), 0)
    assert sum(selectors.study_shares(study).values()) == D("9000.00")
    assert Pledge.objects.filter(study=study).count() == 3


def test_cent_exact_shares():
    from grappe.engine.allocation import allocate

    shares = allocate(D("1000.00"), {1: 1, 2: 1, 3: 1})
    assert sum(shares.values()) == D("1000.00")
    assert sorted(shares.values()) == [D("333.33"), D("333.33"), D("333.34")]


def test_a_member_proposes_a_study_for_its_firm(world):
    study = services.study_create(
        by=world.actor(world.member_a),
        organisation=world.org_a,
        title="Achat groupé de micros",
        description="Dix micros dynamiques.",
        total_price=D("1200.00"),
        kind="purchase",
        min_participants=2,
        pledge_deadline=DEADLINE,
        today=TODAY,
    )
    assert study.proposed_for == world.org_a and study.proposed_by == world.member_a
    with pytest.raises(PermissionDenied):  # a member proposes for its own firm only
        services.study_create(
            by=world.actor(world.member_a),
            organisation=world.org_b,
            title="X",
            description="X",
            total_price=D("1"),
            pledge_deadline=DEADLINE,
            today=TODAY,
        )
    with pytest.raises(PermissionDenied):
        services.study_create(
            by=world.actor(world.member_a),
            title="X",
            description="X",
            total_price=D("1"),
            pledge_deadline=DEADLINE,
            today=TODAY,
        )
    assert Study.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"total_price": D("0")}, "total_price"),
        ({"min_participants": 0}, "min_participants"),
        ({"pledge_deadline": dt.date(2030, 2, 1)}, "pledge_deadline"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_study_input_is_refused(world, data, field):
    base = {
        "title": "Étude",
        "description": "Texte",
        "total_price": D("100"),
        "pledge_deadline": DEADLINE,
    }
    with pytest.raises(ValidationError) as exc:
        services.study_create(by=world.actor(world.manager), today=TODAY, **{**base, **data})
    assert field in exc.value.message_dict
    assert not Study.objects.exists()


def test_pledge_refusals(world, study):
    pledge(world, study, world.org_a, user="member_a")
    with pytest.raises(ValidationError, match="déjà engagée"):
        pledge(world, study, world.org_a, user="member_a")
    with pytest.raises(PermissionDenied):
        pledge(world, study, world.org_b, user="member_a")
    with pytest.raises(PermissionDenied):
        pledge(world, study, world.org_a, user="observer")
    with pytest.raises(ValidationError, match="date limite"):
        pledge(world, study, world.org_b, user="member_b", today=DEADLINE + dt.timedelta(days=1))
    assert Pledge.objects.count() == 1


def test_withdraw_before_the_deadline_only(world, study):
    p = pledge(world, study, world.org_a, user="member_a")
    with pytest.raises(PermissionDenied):
        services.pledge_withdraw(pledge=p, by=world.actor(world.member_b), today=TODAY)
    with pytest.raises(ValidationError):
        services.pledge_withdraw(
            pledge=p, by=world.actor(world.member_a), today=DEADLINE + dt.timedelta(days=1)
        )
    services.pledge_withdraw(pledge=p, by=world.actor(world.member_a), today=TODAY)
    assert not Pledge.objects.exists()


def test_at_the_deadline_the_study_goes_ahead_with_enough_pledges(
    world, study, third, django_capture_on_commit_callbacks
):
    for org, user in ((world.org_a, "member_a"), (world.org_b, "member_b"), (third, "manager")):
        pledge(world, study, org, user=user)
    with django_capture_on_commit_callbacks(execute=True):
        decided = services.study_close_due(
            cluster=world.paris, today=DEADLINE + dt.timedelta(days=1)
        )
    assert [s.pk for s in decided] == [study.pk]
    study.refresh_from_db()
    assert study.status == Study.Status.CONFIRMED and study.decided_at
    assert AuditEntry.objects.filter(action="study.confirm", actor_label="système").exists()
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([world.member_a.email, world.member_b.email, world.manager.email])
    assert "Votre part : 3\xa0000,00\xa0€\xa0HT" in mail.outbox[0].body


def test_below_the_threshold_nobody_is_billed(world, study, django_capture_on_commit_callbacks):
    pledge(world, study, world.org_a, user="member_a")
    with django_capture_on_commit_callbacks(execute=True):
        services.study_close_due(cluster=world.paris, today=DEADLINE + dt.timedelta(days=1))
    study.refresh_from_db()
    assert study.status == Study.Status.CANCELLED
    assert "Personne n'est facturé" in mail.outbox[0].body
    from grappe.pooling.charges import study_charges

    assert study_charges(world.paris, dt.date(2030, 1, 1), dt.date(2030, 12, 31)) == []


def test_the_daily_job_decides_only_due_studies(world, study):
    assert tasks.close_due_studies() == 0  # today's real date is before 2030
    study.refresh_from_db()
    assert study.is_open


def test_a_manager_confirms_early_only_with_enough_pledges(world, study, third):
    with pytest.raises(ValidationError, match="Pas encore assez"):
        services.study_decide(study=study, by=world.actor(world.manager), today=TODAY)
    for org in (world.org_a, world.org_b, third):
        pledge(world, study, org)
    services.study_decide(study=study, by=world.actor(world.manager), today=TODAY)
    study.refresh_from_db()
    assert study.status == Study.Status.CONFIRMED
    with pytest.raises(ValidationError, match="déjà décidée"):
        services.study_decide(study=study, by=world.actor(world.manager), today=TODAY)
    with pytest.raises(PermissionDenied):
        services.study_cancel(study=study, by=world.actor(world.member_a))


def test_a_late_firm_buys_in_at_the_stated_price(world, study, third):
    for org in (world.org_a, world.org_b):
        pledge(world, study, org)
    pledge(world, study, third)
    services.study_decide(study=study, by=world.actor(world.manager), today=TODAY)
    late_org = make_org("Label Delta")
    make_member(world.paris, late_org)
    late = pledge(world, study, late_org, today=DEADLINE + dt.timedelta(days=5))
    assert late.is_late and late.late_price == D("3500.00")
    shares = selectors.study_shares(study)
    assert shares[late_org.pk] == D("3500.00")
    assert sum(v for k, v in shares.items() if k != late_org.pk) == D("9000.00")


def test_no_buy_in_without_a_late_price_nor_on_a_cancelled_study(world, study):
    study.late_price = None
    study.save()
    study.status = Study.Status.CONFIRMED
    study.save()
    with pytest.raises(ValidationError, match="n'accepte plus"):
        pledge(world, study, world.org_a)
    study.status = Study.Status.CANCELLED
    study.save()
    with pytest.raises(ValidationError, match="annulée"):
        pledge(world, study, world.org_a)
    assert not Pledge.objects.exists()


def test_results_are_private_to_participants_and_managers(world, study, third):
    for org in (world.org_a, third):
        pledge(world, study, org)
    upload = SimpleUploadedFile("etude.pdf", b"%PDF-1.4 results", content_type="application/pdf")
    with pytest.raises(ValidationError):  # not confirmed yet
        services.study_document_add(study=study, by=world.actor(world.manager), upload=upload)
    study.status = Study.Status.CONFIRMED
    study.save()
    document = services.study_document_add(
        study=study, by=world.actor(world.manager), upload=upload
    )
    assert StudyDocument.objects.get() == document and document.size == len(b"%PDF-1.4 results")
    assert selectors.documents_visible(actor=world.actor(world.member_a), study=study) == [document]
    assert selectors.documents_visible(actor=world.actor(world.member_b), study=study) == []
    assert selectors.documents_visible(actor=world.actor(world.manager), study=study) == [document]


def test_uploads_are_checked(world, study):
    study.status = Study.Status.CONFIRMED
    study.save()
    for upload in (
        SimpleUploadedFile("virus.exe", b"MZ...", content_type="application/octet-stream"),
        SimpleUploadedFile("faux.pdf", b"MZ not a pdf", content_type="application/pdf"),
    ):
        with pytest.raises(ValidationError):
            services.study_document_add(study=study, by=world.actor(world.manager), upload=upload)
    with pytest.raises(PermissionDenied):
        services.study_document_add(
            study=study,
            by=world.actor(world.member_a),
            upload=SimpleUploadedFile("etude.pdf", b"%PDF-1.4", content_type="application/pdf"),
        )
    assert not StudyDocument.objects.exists()

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grappe.core.access import Actor
from grappe.core.models import AuditEntry, ClusterRole, User
from grappe.members import services
from grappe.members.models import Invitation, JoinRequest, Membership, Organisation, Person, Post
from tests.factories import new_siret

pytestmark = pytest.mark.django_db


def join_data(**overrides):
    return {
        "organisation_name": "Studio Nouveau",
        "identifier": new_siret(),
        "commune_id": "75118",
        "contact_first_name": "Lina",
        "contact_last_name": "Benali",
        "contact_email": "lina@studio-nouveau.fr",
        "message": "Nous aimerions adhérer.",
        **overrides,
    }


def manager(world):
    return world.actor(world.manager)


# --- Identifiers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("775 672 272", {"siren": "775672272"}),
        ("77567227200017", {"siret": "77567227200017", "siren": "775672272"}),
        ("w751234567", {"rna": "W751234567"}),
    ],
)
def test_identifier_is_parsed(value, expected):
    assert services.parse_identifier(value) == expected


@pytest.mark.parametrize("value", ["775672273", "77567227200018", "W12", "12345", ""])
def test_bad_identifier_is_refused(value):
    with pytest.raises(ValidationError):
        services.parse_identifier(value)


# --- Join requests ----------------------------------------------------------------------


def test_join_request_is_stored_and_managers_are_told(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        jr = services.join_request_submit(cluster=world.paris, **join_data())
    assert JoinRequest.objects.get().status == JoinRequest.Status.PENDING
    assert jr.identifier == join_data()["identifier"][:0] + jr.identifier  # stored clean
    assert [m.to for m in mail.outbox] == [["manager@example.org"]]
    assert "Studio Nouveau" in mail.outbox[0].subject


def test_second_pending_request_for_the_same_firm_is_refused(world):
    data = join_data()
    services.join_request_submit(cluster=world.paris, **data)
    with pytest.raises(ValidationError, match="déjà en cours"):
        services.join_request_submit(cluster=world.paris, **data)
    assert JoinRequest.objects.count() == 1


def test_existing_member_cannot_apply_again(world):
    with pytest.raises(ValidationError, match="déjà membre"):
        services.join_request_submit(cluster=world.paris, **join_data(identifier=world.org_a.siret))
    assert JoinRequest.objects.count() == 0


def test_admit_creates_organisation_membership_person_and_invitation(
    world, django_capture_on_commit_callbacks
):
    jr = services.join_request_submit(cluster=world.paris, **join_data())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.join_request_admit(
            join_request=jr, by=manager(world), message="Bienvenue !", fee_amount=Decimal("150.00")
        )
    org = Organisation.objects.get(name="Studio Nouveau")
    assert membership.organisation == org and membership.status == Membership.Status.ACTIVE
    assert membership.fee_amount == Decimal("150.00")
    assert membership.renewal_on == membership.joined_on.replace(year=membership.joined_on.year + 1)
    assert Person.objects.get(organisation=org).email == "lina@studio-nouveau.fr"
    invitation = Invitation.objects.get(email="lina@studio-nouveau.fr")
    assert invitation.organisation == org and invitation.role == "member"
    jr.refresh_from_db()
    assert (jr.status, jr.decided_by, jr.organisation) == ("admitted", world.manager, org)
    assert mail.outbox[0].to == ["lina@studio-nouveau.fr"]
    assert "Bienvenue !" in mail.outbox[0].body and "/invitations/" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="join_request.admit", actor=world.manager).exists()


def test_admitting_a_firm_known_elsewhere_reuses_it(world):
    jr = services.join_request_submit(
        cluster=world.lyon, **join_data(identifier=world.org_a.siret, commune_id="69381")
    )
    lyon_manager = world.actor(world.lyon_manager, world.lyon)
    services.join_request_admit(join_request=jr, by=lyon_manager)
    assert Organisation.objects.filter(siret=world.org_a.siret).count() == 1
    assert set(world.org_a.memberships.values_list("cluster__slug", flat=True)) == {"paris", "lyon"}


def test_decline_needs_a_reason_and_tells_the_applicant(world, django_capture_on_commit_callbacks):
    jr = services.join_request_submit(cluster=world.paris, **join_data())
    with pytest.raises(ValidationError, match="raison"):
        services.join_request_decline(join_request=jr, by=manager(world), message="  ")
    jr.refresh_from_db()
    assert jr.status == "pending"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.join_request_decline(
            join_request=jr, by=manager(world), message="Hors territoire."
        )
    jr.refresh_from_db()
    assert jr.status == "declined" and jr.decision_message == "Hors territoire."
    assert (
        mail.outbox[0].to == ["lina@studio-nouveau.fr"]
        and "Hors territoire." in mail.outbox[0].body
    )
    with pytest.raises(ValidationError, match="déjà été traitée"):
        services.join_request_admit(join_request=jr, by=manager(world))
    assert not Organisation.objects.filter(name="Studio Nouveau").exists()


@pytest.mark.parametrize("who", ["member_a", "observer", "lyon_manager"])
def test_only_this_clusters_managers_decide(world, who):
    jr = services.join_request_submit(cluster=world.paris, **join_data())
    with pytest.raises(PermissionDenied):
        services.join_request_admit(join_request=jr, by=world.actor(getattr(world, who)))
    jr.refresh_from_db()
    assert jr.status == "pending"
    assert not Organisation.objects.filter(name="Studio Nouveau").exists()


# --- Invitations -------------------------------------------------------------------------


def test_invitation_accept_creates_account_and_links_the_firm(world):
    invitation = services.invitation_create(
        by=manager(world), email="new@studio-alpha.fr", organisation=world.org_a
    )
    token = services.invitation_token(invitation)
    user = services.invitation_accept(
        token=token, password="Un-mot-de-passe-solide-42", full_name="Noa Petit"
    )
    assert user.check_password("Un-mot-de-passe-solide-42") and user.full_name == "Noa Petit"
    assert Person.objects.get(user=user).organisation == world.org_a
    assert world.actor(user).organisation_ids == {world.org_a.pk}
    with pytest.raises(ValidationError, match="déjà été utilisée"):
        services.invitation_accept(token=token, password="Autre-mot-de-passe-42")
    assert User.objects.filter(email="new@studio-alpha.fr").count() == 1


def test_manager_invitation_grants_the_role(world):
    invitation = services.invitation_create(by=manager(world), email="cm@grappe.fr", role="manager")
    user = services.invitation_accept(
        token=services.invitation_token(invitation), password="Un-mot-de-passe-solide-42"
    )
    assert ClusterRole.objects.filter(cluster=world.paris, user=user, role="manager").exists()


def test_expired_or_forged_invitations_are_refused(world):
    invitation = services.invitation_create(
        by=manager(world), email="x@y.fr", organisation=world.org_a
    )
    token = services.invitation_token(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="expiré"):
        services.invitation_accept(token=token, password="Un-mot-de-passe-solide-42")
    with pytest.raises(ValidationError, match="pas valide"):
        services.invitation_accept(token=token + "x", password="Un-mot-de-passe-solide-42")
    assert not User.objects.filter(email="x@y.fr").exists()


def test_weak_password_is_refused_and_nothing_is_linked(world):
    invitation = services.invitation_create(
        by=manager(world), email="weak@y.fr", organisation=world.org_a
    )
    with pytest.raises(ValidationError):
        services.invitation_accept(token=services.invitation_token(invitation), password="123")
    assert not Person.objects.filter(email="weak@y.fr").exists()
    assert not User.objects.filter(email="weak@y.fr").exists()


def test_member_may_invite_a_colleague_but_not_for_another_firm_nor_a_manager(world):
    member = world.actor(world.member_a)
    services.invitation_create(by=member, email="colleague@alpha.fr", organisation=world.org_a)
    with pytest.raises(PermissionDenied):
        services.invitation_create(by=member, email="spy@beta.fr", organisation=world.org_b)
    with pytest.raises(PermissionDenied):
        services.invitation_create(by=member, email="boss@alpha.fr", role="manager")
    assert list(Invitation.objects.values_list("email", flat=True)) == ["colleague@alpha.fr"]


# --- Profiles, posts, memberships ------------------------------------------------------


def test_member_edits_own_profile_and_search_follows(world):
    member = world.actor(world.member_a)
    org = services.organisation_update(
        organisation=world.org_a,
        by=member,
        description="Salle de répétition et lutherie",
        tags=["Répétition", "lutherie"],
    )
    assert " repetit" in org.search_document and " luther" in org.search_document
    assert sorted(org.tags.values_list("name", flat=True)) == ["Répétition", "lutherie"]
    entry = AuditEntry.objects.get(action="organisation.update")
    assert entry.changes["description"][1] == "Salle de répétition et lutherie"


def test_member_cannot_edit_another_firm(world):
    with pytest.raises(PermissionDenied):
        services.organisation_update(
            organisation=world.org_b, by=world.actor(world.member_a), name="Pirate"
        )
    world.org_b.refresh_from_db()
    assert world.org_b.name == "Label Beta"


def test_profile_refuses_a_bad_naf_code(world):
    with pytest.raises(ValidationError):
        services.organisation_update(
            organisation=world.org_a, by=world.actor(world.member_a), naf_code="5920"
        )
    world.org_a.refresh_from_db()
    assert world.org_a.naf_code == "59.20Z"


def test_organisation_needs_one_identifier():
    with pytest.raises(ValidationError, match="SIRET, un SIREN ou un numéro RNA"):
        services.organisation_create(by=Actor.system(None), name="Sans numéro")
    assert Organisation.objects.count() == 0


def test_two_organisations_cannot_share_a_siret(world):
    with pytest.raises(ValidationError, match="SIRET"):
        services.organisation_create(
            by=Actor.system(world.paris), name="Doublon", siret=world.org_a.siret
        )
    assert Organisation.objects.filter(siret=world.org_a.siret).count() == 1


def test_posts_need_a_firm_the_author_acts_for(world):
    member = world.actor(world.member_a)
    post = services.post_create(
        by=member,
        organisation=world.org_a,
        kind="need",
        title="Local",
        text="Besoin d'un local",
        visibility="cluster",
    )
    assert (post.author, post.cluster) == (world.member_a, world.paris)
    with pytest.raises(PermissionDenied):
        services.post_create(
            by=member,
            organisation=world.org_b,
            kind="offer",
            title="x",
            text="y",
            visibility="cluster",
        )
    with pytest.raises(ValidationError):
        services.post_create(
            by=member,
            organisation=world.org_a,
            kind="gift",
            title="x",
            text="y",
            visibility="cluster",
        )
    assert Post.objects.filter(title__in=["x"]).count() == 0


def test_fee_must_be_euros_and_cents(world):
    membership = world.org_a.memberships.get()
    with pytest.raises(ValidationError, match="centimes"):
        services.membership_update_fee(
            membership=membership, by=manager(world), fee_amount=Decimal("10.005")
        )
    services.membership_update_fee(
        membership=membership, by=manager(world), fee_amount=Decimal("99.90"), fee_status="paid"
    )
    membership.refresh_from_db()
    assert (membership.fee_amount, membership.fee_status) == (Decimal("99.90"), "paid")
    assert membership.fee_paid_on == timezone.localdate()


def test_renewal_reminders_are_sent_once_and_overdue_members_lapse(
    world, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    Membership.objects.filter(organisation=world.org_a).update(
        renewal_on=today + dt.timedelta(days=10)
    )
    Membership.objects.filter(organisation=world.org_b).update(
        renewal_on=today - dt.timedelta(days=60)
    )
    Person.objects.filter(organisation=world.org_a).update(email="alpha@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.membership_send_renewal_reminders(by=Actor.system(world.paris), today=today)
    assert sent == 1 and mail.outbox[0].to == ["alpha@example.org"]
    assert Membership.objects.get(organisation=world.org_b).status == "lapsed"
    with django_capture_on_commit_callbacks(execute=True):
        again = services.membership_send_renewal_reminders(
            by=Actor.system(world.paris), today=today
        )
    assert again == 0 and len(mail.outbox) == 1


def test_admitting_a_firm_marks_its_prospects_members_by_siret_or_siren(world):
    from grappe.members.models import Prospect
    from grappe.territory.models import Establishment

    org = world.org_a
    other_site = org.siren + "00029"
    sites = [
        Establishment.objects.create(
            siret=org.siret, siren=org.siren, naf_code="59.20Z", commune_code="75118"
        ),
        Establishment.objects.create(
            siret=other_site, siren=org.siren, naf_code="59.20Z", commune_code="75118"
        ),
        Establishment.objects.create(
            siret=new_siret(), siren="123456782", naf_code="59.20Z", commune_code="75118"
        ),
    ]
    prospects = [Prospect.objects.create(cluster=world.paris, establishment=e) for e in sites]
    membership = org.memberships.get()
    membership.status = Membership.Status.LAPSED
    membership.save()
    services.membership_set_status(membership=membership, status="active", by=manager(world))
    statuses = [Prospect.objects.get(pk=p.pk).status for p in prospects]
    assert statuses == ["member", "member", "new"]

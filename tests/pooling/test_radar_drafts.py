"""Radar proposals the managers accepted become pooled services: the drafts are listed on
the pooling manager pages, open the right creation form pre-filled, and creating the
service marks the draft taken up in the same transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grappe.core.models import AuditEntry
from grappe.insights.models import ProposalDecision
from grappe.pooling.models import CostPool, SharedEmployee, Study
from tests.factories import make_member, make_org

pytestmark = pytest.mark.django_db

POOLS = "/c/paris/manage/pooling/pools/"
EMPLOYEES = "/c/paris/manage/pooling/employees/"
STUDIES = "/c/paris/pooling/studies/"
NEW_POOL = POOLS + "create/"
NEW_EMPLOYEE = EMPLOYEES + "create/"
NEW_STUDY = STUDIES + "create/"


def make_draft(world, kind, title, *, cluster=None, decision="accepted", **extra):
    draft = ProposalDecision.objects.create(
        cluster=cluster or world.paris,
        theme_key=f"theme-{kind}",
        theme_label=extra.pop("theme_label", "Loyer de la boutique"),
        decision=decision,
        service_kind=kind,
        title=title,
        notes=extra.pop("notes", "Six structures partagent déjà le local."),
        estimated_saving_monthly=extra.pop("saving", Decimal("85.50")),
        **extra,
    )
    draft.organisations.set([world.org_a, world.org_b])
    return draft


@pytest.fixture
def drafts(world):
    return {
        "pool": make_draft(world, "cost_pool", "Boutique partagée rue Myrha"),
        "post": make_draft(
            world, "shared_post", "Chargé·e de communication", theme_label="Communication"
        ),
        "study": make_draft(
            world, "pooled_study", "Étude des publics", theme_label="Connaître ses publics"
        ),
        "purchase": make_draft(
            world, "group_purchase", "Achat groupé de micros", theme_label="Matériel son"
        ),
    }


POOL_DATA = {
    "name": "Boutique rue Myrha",
    "description": "Le local partagé",
    "kind": "recurring",
    "amount": "1200.00",
    "vat_rate": "20",
    "allocation_key": "equal",
    "starts_on": "2026-01-01",
}
EMPLOYEE_DATA = {
    "name": "Camille Durand",
    "role": "Chargée de communication",
    "yearly_cost": "42000",
    "yearly_hours": "1607",
    "coefficient": "1.1",
    "monthly_fee": "50",
    "weekly_hours": "35",
    "vat_rate": "20",
    "is_active": "on",
    **{f"day_{i}": "7" for i in range(5)},
    "day_5": "0",
    "day_6": "0",
}


def study_data(kind="study", **extra):
    return {
        "kind": kind,
        "title": "Étude des publics du 18e",
        "description": "Qui vient aux concerts ?",
        "total_price": "3000.00",
        "vat_rate": "20",
        "min_participants": "2",
        "pledge_deadline": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        **extra,
    }


# --- Listing ------------------------------------------------------------------------------


def test_each_manager_page_lists_its_kind_of_drafts(client, world, drafts):
    client.force_login(world.manager)
    pools = client.get(POOLS).content.decode()
    employees = client.get(EMPLOYEES).content.decode()
    studies = client.get(STUDIES).content.decode()

    assert "Propositions du radar à concrétiser" in pools
    assert "Boutique partagée rue Myrha" in pools and "Loyer de la boutique" in pools
    assert "85,50\xa0€ par membre et par mois" in pools
    assert "Six structures partagent déjà le local." in pools
    assert f"{NEW_POOL}?draft={drafts['pool'].pk}" in pools
    assert "Chargé·e de communication" not in pools and "Étude des publics" not in pools

    assert f"{NEW_EMPLOYEE}?draft={drafts['post'].pk}" in employees
    assert "Chargé·e de communication" in employees and "Boutique partagée" not in employees

    assert f"{NEW_STUDY}?draft={drafts['study'].pk}" in studies
    assert f"{NEW_STUDY}?draft={drafts['purchase'].pk}" in studies
    assert "Achat groupé de micros" in studies and "Boutique partagée" not in studies


def test_the_firm_count_is_shown(client, world, drafts):
    client.force_login(world.manager)
    body = client.get(POOLS).content.decode()
    row = body[body.index("Boutique partagée rue Myrha") :]
    assert '<td class="num">2</td>' in row[:400]


def test_no_block_without_drafts(client, world):
    client.force_login(world.manager)
    for url in (POOLS, EMPLOYEES, STUDIES):
        body = client.get(url).content.decode()
        assert "Propositions du radar à concrétiser" not in body, url


def test_members_never_see_the_drafts(client, world, drafts):
    client.force_login(world.member_a)
    body = client.get(STUDIES).content.decode()
    assert client.get(STUDIES).status_code == 200
    assert "Propositions du radar à concrétiser" not in body
    assert "Achat groupé de micros" not in body


def test_dismissed_decisions_and_other_clusters_drafts_are_never_listed(client, world):
    make_draft(world, "cost_pool", "Écartée", decision="dismissed")
    make_draft(world, "cost_pool", "Brouillon lyonnais", cluster=world.lyon)
    client.force_login(world.manager)
    body = client.get(POOLS).content.decode()
    assert "Propositions du radar à concrétiser" not in body
    assert "Écartée" not in body and "Brouillon lyonnais" not in body


# --- The pre-filled forms -------------------------------------------------------------------


def test_the_cost_pool_form_is_prefilled_from_the_draft(client, world, drafts):
    client.force_login(world.manager)
    response = client.get(f"{NEW_POOL}?draft={drafts['pool'].pk}")
    form = response.context["form"]
    assert response.status_code == 200
    assert form.initial["name"] == "Boutique partagée rue Myrha"
    assert "Loyer de la boutique" in form.initial["description"]
    assert "Six structures partagent déjà le local." in form.initial["description"]
    assert form["draft"].value() == drafts["pool"].pk
    body = response.content.decode()
    assert f'name="draft" value="{drafts["pool"].pk}"' in body
    assert "Studio Alpha" in body and "Label Beta" in body  # the firms, beside the form


def test_the_shared_employee_form_takes_the_title_as_role_and_name(client, world, drafts):
    client.force_login(world.manager)
    response = client.get(f"{NEW_EMPLOYEE}?draft={drafts['post'].pk}")
    form = response.context["form"]
    assert form.initial["role"] == "Chargé·e de communication"
    assert form.initial["name"] == "Chargé·e de communication"
    assert f'name="draft" value="{drafts["post"].pk}"' in response.content.decode()


@pytest.mark.parametrize(("key", "kind"), [("study", "study"), ("purchase", "purchase")])
def test_the_study_form_takes_the_kind_from_the_draft(client, world, drafts, key, kind):
    client.force_login(world.manager)
    response = client.get(f"{NEW_STUDY}?draft={drafts[key].pk}")
    form = response.context["form"]
    assert form.initial["kind"] == kind
    assert form.initial["title"] == drafts[key].title
    assert drafts[key].theme_label in form.initial["description"]
    assert f'name="draft" value="{drafts[key].pk}"' in response.content.decode()


def test_a_draft_of_another_kind_is_not_found_on_a_form(client, world, drafts):
    client.force_login(world.manager)
    assert client.get(f"{NEW_POOL}?draft={drafts['post'].pk}").status_code == 404
    assert client.get(f"{NEW_STUDY}?draft={drafts['pool'].pk}").status_code == 404
    assert client.get(f"{NEW_POOL}?draft=abc").status_code == 404


def test_the_forms_without_a_draft_are_unchanged(client, world, drafts):
    client.force_login(world.manager)
    response = client.get(NEW_POOL)
    assert response.status_code == 200 and "draft" not in response.context["form"].fields
    assert "Proposition du radar" not in response.content.decode()
    created = client.post(NEW_POOL, POOL_DATA)
    pool = CostPool.objects.get()
    assert created.status_code == 302 and created["Location"].endswith(f"/pools/{pool.pk}/")
    drafts["pool"].refresh_from_db()
    assert drafts["pool"].taken_up_at is None


# --- Creating the service -----------------------------------------------------------------


def test_creating_a_cost_pool_from_a_draft_takes_it_up(client, world, drafts):
    draft = drafts["pool"]
    client.force_login(world.manager)
    response = client.post(f"{NEW_POOL}?draft={draft.pk}", {**POOL_DATA, "draft": draft.pk})
    pool = CostPool.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/pools/{pool.pk}/")
    draft.refresh_from_db()
    assert draft.taken_up_at is not None and draft.taken_up_ref == f"cost_pool:{pool.pk}"
    assert AuditEntry.objects.filter(action="radar.proposal.take_up").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "La proposition du radar est devenue le pool de coûts « Boutique rue Myrha »" in page
    # Taken up: no longer listed, and its form answers 404.
    assert "Propositions du radar à concrétiser" not in client.get(POOLS).content.decode()
    assert client.get(f"{NEW_POOL}?draft={draft.pk}").status_code == 404
    again = client.post(f"{NEW_POOL}?draft={draft.pk}", {**POOL_DATA, "draft": draft.pk})
    assert again.status_code == 404 and CostPool.objects.count() == 1


def test_the_drafts_firms_are_ticked_and_join_the_new_pool(client, world, drafts):
    draft = drafts["pool"]
    draft.organisations.add(world.org_lyon)  # not a Paris member: never offered
    org_c = make_org("Salle Gamma")
    make_member(world.paris, org_c)
    client.force_login(world.manager)
    form = client.get(f"{NEW_POOL}?draft={draft.pk}").context["form"]
    field = form.fields["participants"]
    assert set(field.initial) == {world.org_a.pk, world.org_b.pk}
    assert world.org_lyon not in field.queryset and org_c in field.queryset
    # The manager unticks one firm and adds another.
    response = client.post(
        f"{NEW_POOL}?draft={draft.pk}",
        {**POOL_DATA, "draft": draft.pk, "participants": [world.org_a.pk, org_c.pk]},
    )
    pool = CostPool.objects.get()
    assert response.status_code == 302
    joined = {(p.organisation, p.joined_on, p.weight) for p in pool.participations.select_related()}
    assert joined == {
        (world.org_a, pool.starts_on, Decimal("1")),
        (org_c, pool.starts_on, Decimal("1")),
    }
    assert AuditEntry.objects.filter(action="cost_pool.participation_add").count() == 2


def test_a_firm_from_outside_the_cluster_cannot_be_slipped_in(client, world, drafts):
    draft = drafts["pool"]
    client.force_login(world.manager)
    response = client.post(
        f"{NEW_POOL}?draft={draft.pk}",
        {**POOL_DATA, "draft": draft.pk, "participants": [world.org_lyon.pk]},
    )
    assert response.status_code == 200 and response.context["form"].errors["participants"]
    assert not CostPool.objects.exists()
    draft.refresh_from_db()
    assert draft.taken_up_at is None


def test_creating_a_shared_employee_from_a_draft_takes_it_up(client, world, drafts):
    draft = drafts["post"]
    client.force_login(world.manager)
    response = client.post(f"{NEW_EMPLOYEE}?draft={draft.pk}", {**EMPLOYEE_DATA, "draft": draft.pk})
    employee = SharedEmployee.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/employees/{employee.pk}/")
    assert employee.cluster == world.paris and employee.name == "Camille Durand"
    draft.refresh_from_db()
    assert draft.taken_up_ref == f"shared_post:{employee.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "La proposition du radar est devenue le poste partagé" in page


@pytest.mark.parametrize(
    ("key", "kind", "message"),
    [
        ("study", "study", "devenue l&#x27;étude"),
        ("purchase", "purchase", "devenue l&#x27;achat groupé"),
    ],
)
def test_creating_a_study_from_a_draft_takes_it_up(client, world, drafts, key, kind, message):
    draft = drafts[key]
    client.force_login(world.manager)
    response = client.post(f"{NEW_STUDY}?draft={draft.pk}", {**study_data(kind), "draft": draft.pk})
    study = Study.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/studies/{study.pk}/")
    assert study.kind == kind and study.proposed_for is None
    draft.refresh_from_db()
    assert draft.taken_up_ref == f"{draft.service_kind}:{study.pk}"
    assert message in client.get(response["Location"]).content.decode()
    other = drafts["purchase" if key == "study" else "study"]
    listed = client.get(STUDIES).content.decode()
    assert f"?draft={draft.pk}" not in listed and f"?draft={other.pk}" in listed


def test_the_hidden_field_alone_carries_the_draft(client, world, drafts):
    """The form posted without the query string still takes the draft up."""
    draft = drafts["pool"]
    client.force_login(world.manager)
    assert client.post(NEW_POOL, {**POOL_DATA, "draft": draft.pk}).status_code == 302
    draft.refresh_from_db()
    assert draft.taken_up_ref == f"cost_pool:{CostPool.objects.get().pk}"


# --- Failures change nothing --------------------------------------------------------------


def test_bad_input_leaves_the_draft_and_creates_nothing(client, world, drafts):
    client.force_login(world.manager)
    pool = client.post(
        f"{NEW_POOL}?draft={drafts['pool'].pk}",
        {**POOL_DATA, "amount": "", "draft": drafts["pool"].pk},
    )
    employee = client.post(  # the days do not cover the week: refused by the service
        f"{NEW_EMPLOYEE}?draft={drafts['post'].pk}",
        {**EMPLOYEE_DATA, "day_0": "0", "draft": drafts["post"].pk},
    )
    study = client.post(
        f"{NEW_STUDY}?draft={drafts['study'].pk}",
        {**study_data(pledge_deadline="2020-01-01"), "draft": drafts["study"].pk},
    )
    for response in (pool, employee, study):
        assert response.status_code == 200
        # The form comes back with the draft still riding along.
        assert response.context["form"]["draft"].value() == str(response.context["draft"].pk)
    assert "déjà passée" in study.content.decode()
    assert not CostPool.objects.exists()
    assert not SharedEmployee.objects.exists()
    assert not Study.objects.exists()
    assert not ProposalDecision.objects.filter(taken_up_at__isnull=False).exists()
    assert not AuditEntry.objects.filter(action="radar.proposal.take_up").exists()


def test_a_refused_take_up_rolls_the_new_service_back(client, world, drafts, monkeypatch):
    """Created, then the draft cannot be marked (taken up meanwhile): nothing is stored."""
    from grappe.pooling.views import drafts as draft_views

    def refuse(**kwargs):
        raise ValidationError("Ce brouillon a déjà donné un service.")

    monkeypatch.setattr(draft_views, "proposal_take_up", refuse)
    client.force_login(world.manager)
    draft = drafts["pool"]
    response = client.post(f"{NEW_POOL}?draft={draft.pk}", {**POOL_DATA, "draft": draft.pk})
    assert response.status_code == 200
    assert "Ce brouillon a déjà donné un service." in response.content.decode()
    assert not CostPool.objects.exists()
    assert not AuditEntry.objects.filter(action="cost_pool.create").exists()


# --- Who may use a draft ------------------------------------------------------------------


def test_members_and_other_clusters_cannot_use_a_draft(client, world, drafts):
    urls = [
        f"{NEW_POOL}?draft={drafts['pool'].pk}",
        f"{NEW_EMPLOYEE}?draft={drafts['post'].pk}",
        f"{NEW_STUDY}?draft={drafts['study'].pk}",
    ]
    for user, code in (("member_a", 403), ("observer", 403), ("lyon_manager", 404)):
        client.force_login(getattr(world, user))
        for url in urls:
            assert client.get(url).status_code == code, (user, url)
    client.force_login(world.member_a)
    response = client.post(urls[2], {**study_data(), "organisation": world.org_a.pk})
    assert response.status_code == 403 and not Study.objects.exists()
    # Another cluster's manager on their own cluster's pages: a Paris draft does not exist.
    client.force_login(world.lyon_manager)
    lyon = f"/c/lyon/manage/pooling/pools/create/?draft={drafts['pool'].pk}"
    assert client.get(lyon).status_code == 404
    response = client.post(lyon, {**POOL_DATA, "draft": drafts["pool"].pk})
    assert response.status_code == 404 and not CostPool.objects.exists()
    assert not ProposalDecision.objects.filter(taken_up_at__isnull=False).exists()


def test_a_dismissed_decision_has_no_form(client, world):
    dismissed = make_draft(world, "cost_pool", "Écartée", decision="dismissed")
    client.force_login(world.manager)
    assert client.get(f"{NEW_POOL}?draft={dismissed.pk}").status_code == 404


def test_a_draft_already_taken_up_answers_404(client, world, drafts):
    draft = drafts["study"]
    draft.taken_up_at = timezone.now()
    draft.taken_up_ref = "pooled_study:999"
    draft.save()
    client.force_login(world.manager)
    assert client.get(f"{NEW_STUDY}?draft={draft.pk}").status_code == 404
    assert f"?draft={draft.pk}" not in client.get(STUDIES).content.decode()

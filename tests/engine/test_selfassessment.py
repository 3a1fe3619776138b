"""Label self-assessment rules: each criterion met, missing, or without data."""

from dataclasses import replace
from decimal import Decimal

from grappe.engine.selfassessment import FAMILIES, Facts, assess

BASE = Facts(
    managers=1,
    observers=1,
    has_legal_identity=True,
    has_contact=True,
    communes=1,
    sectors=3,
    active_members=15,
    member_types={"Sociétés": 10, "Associations": 5},
    surveys=1,
    best_response_rate=Decimal("40.0"),
    audit_entries=12,
    fee_paid_share=Decimal("80.0"),
    funding_obtained=None,
    services=None,
    accepted_proposals=1,
    savings=None,
    nps=Decimal("20.0"),
    exchanges=30,
    shared_themes=2,
    business_between_members=None,
    is_listed=True,
    has_website=True,
    has_description=True,
)


def by_code(facts):
    return {r.code: r for r in assess(facts)}


def test_every_label_family_and_the_eccp_criteria_are_assessed():
    results = assess(BASE)
    assert {r.family for r in results} == {*FAMILIES, "eccp"}
    eccp = {r.code: r.met for r in results if r.family == "eccp"}
    assert eccp == {
        "eccp.staff": True,
        "eccp.members": True,
        "eccp.types": True,
        "eccp.contact": True,
    }


def test_eccp_needs_fifteen_members_and_two_types():
    r = by_code(replace(BASE, active_members=14, member_types={"Sociétés": 14}))
    assert (r["eccp.members"].met, r["eccp.members"].value) == (False, 14)
    assert (r["eccp.types"].met, r["eccp.types"].value) == (False, 1)


def test_figures_no_app_reports_are_without_data_not_missing():
    r = by_code(BASE)
    assert r["financing.funding"].met is None
    assert r["services.savings"].met is None
    assert r["interaction.business"].met is None
    assert by_code(replace(BASE, funding_obtained=Decimal("12000")))["financing.funding"].met


def test_consultation_needs_a_response_rate_of_thirty_percent():
    assert by_code(BASE)["governance.consultation"].met
    low = by_code(replace(BASE, best_response_rate=Decimal("29.9")))
    assert low["governance.consultation"].met is False

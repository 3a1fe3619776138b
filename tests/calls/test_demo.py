"""The calls demo: real importers, matches computed, an application in progress, funding
obtained; run twice, it seeds nothing the second time."""

import pytest

from grappe.calls import demo
from grappe.calls.models import AlertPreference, Application, Call, CallMatch
from grappe.calls.selectors import funding_obtained
from grappe.core.models import Cluster
from grappe.members import demo as members_demo

pytestmark = pytest.mark.django_db


def test_the_calls_demo_seeds_once():
    members_demo.seed()
    lines = demo.seed()
    assert lines and "recommandations" in lines[0]
    paris = Cluster.objects.get(slug="musique-paris-18")
    assert Call.objects.filter(source="aides-territoires").count() == 8
    assert Call.objects.filter(source="csv", source_id__startswith="DEMO-").count() >= 30
    studio = paris.memberships.get(organisation__name="Studio Goutte d'Or").organisation
    assert CallMatch.objects.filter(cluster=paris, organisation=studio).count() >= 5
    assert CallMatch.objects.filter(cluster=paris, organisation=None).exists()
    collective = Application.objects.get(cluster=paris, kind="collective")
    assert collective.status == "draft" and collective.participants.count() == 3
    assert sum(p.budget_share for p in collective.participants.all()) == collective.budget_total
    assert funding_obtained(cluster=paris)["obtained_amount"] > 0
    assert AlertPreference.objects.filter(user__email="membre@grappe.demo").exists()
    manual = Call.objects.get(source="manual")
    assert (manual.owner_cluster, manual.is_public, manual.perimeter_keys) == (
        paris,
        False,
        " com:75118 ",
    )
    assert CallMatch.objects.filter(cluster=paris, call=manual).exists()
    before = (Call.objects.count(), Application.objects.count(), CallMatch.objects.count())
    assert demo.seed() == []
    assert (Call.objects.count(), Application.objects.count(), CallMatch.objects.count()) == before

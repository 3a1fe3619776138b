"""The demo shows the insights: needs over a year, a survey with answers, a computed
radar and twelve monthly snapshots; a second run seeds nothing."""

import pytest
from django.core.management import call_command

from grappe.core.models import Cluster
from grappe.insights.models import IndicatorSnapshot, RadarRun, Survey, SurveyResponse
from grappe.members.models import Post

pytestmark = pytest.mark.django_db


def counts():
    return (
        Post.objects.count(),
        Survey.objects.count(),
        SurveyResponse.objects.count(),
        RadarRun.objects.count(),
        IndicatorSnapshot.objects.count(),
    )


def test_demo_insights_seed_once(capsys):
    call_command("demo", "--seed-only")
    assert "Analyses :" in capsys.readouterr().out
    paris = Cluster.objects.get(slug="musique-paris-18")
    needs = Post.objects.filter(cluster=paris, kind="need")
    assert needs.count() >= 80
    months = {p.created_at.strftime("%Y-%m") for p in needs}
    assert len(months) >= 10  # spread over the year
    survey = Survey.objects.get(cluster=paris)
    assert survey.status == "open" and 35 <= survey.responses.count() <= 45
    run = RadarRun.objects.get(cluster=paris)
    assert run.status == "done" and run.theme_count >= 12
    labels = list(run.themes.order_by("-members").values_list("label", flat=True)[:20])
    assert "Paie des intermittents" in labels and "Local de stockage" in labels
    assert run.themes.filter(proposal_kind="").exists()  # emergent themes too
    assert IndicatorSnapshot.objects.filter(cluster=paris, key="members.count").count() == 12
    before = counts()
    call_command("demo", "--seed-only")
    assert counts() == before

"""Commands: monthly snapshots and the radar, from the command line."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from grappe.insights.models import IndicatorSnapshot, RadarRun

pytestmark = pytest.mark.django_db


def test_snapshot_indicators_for_one_cluster_and_its_months(world):
    out = StringIO()
    call_command("snapshot_indicators", "--cluster", "paris", "--months", "3", stdout=out)
    assert "paris :" in out.getvalue()
    assert (
        IndicatorSnapshot.objects.filter(cluster=world.paris).values("month").distinct().count()
        == 3
    )
    assert not IndicatorSnapshot.objects.filter(cluster=world.lyon).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cluster", "nowhere"], "inconnue"),
        (["--until", "2026-13"], "invalide"),
        (["--months", "0"], "1 à 60"),
        (["--until", "2999-01"], "pas encore commencé"),
    ],
)
def test_snapshot_refusals_write_nothing(world, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("snapshot_indicators", *args)
    assert not IndicatorSnapshot.objects.exists()


def test_radar_command_prints_the_themes(radar_world):
    out = StringIO()
    call_command("radar", "--cluster", "paris", stdout=out)
    assert "Local de stockage" in out.getvalue()
    assert RadarRun.objects.get().status == "done"
    with pytest.raises(CommandError, match="inconnue"):
        call_command("radar", "--cluster", "nowhere")

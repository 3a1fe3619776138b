"""grappe invoice --cluster S --month YYYY-MM."""

import pytest
from django.core.management import CommandError, call_command

from grappe.billing.models import Invoice
from tests.billing.conftest import line

pytestmark = pytest.mark.django_db


def test_invoice_command_issues_once_and_prints_a_summary(world, profile, source, capsys):
    source.lines["paris"] = [line(world.org_a, "b:1", "46.50"), line(world.org_b, "b:2", "10.00")]
    call_command("invoice", "--cluster", "paris", "--month", "2026-03")
    out = capsys.readouterr().out
    assert "2 nouvelles" in out
    assert "2 factures émises, de 2026-000001 à 2026-000002" in out
    assert "total TTC 67,80\u202f€" in out
    assert Invoice.objects.count() == 2

    call_command("invoice", "--cluster", "paris", "--month", "2026-03")
    assert "aucune nouvelle facture" in capsys.readouterr().out
    assert Invoice.objects.count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cluster", "nowhere", "--month", "2026-03"], "Grappe inconnue"),
        (["--cluster", "paris", "--month", "2026-3-1"], "AAAA-MM"),
        (["--cluster", "paris", "--month", "2099-01"], "n'a pas commencé"),
        (["--cluster", "lyon", "--month", "2026-03"], "profil de facturation"),
    ],
)
def test_invoice_command_refuses_bad_input(world, profile, source, args, message):
    source.lines["lyon"] = [line(world.org_lyon, "l:1", "5.00")]
    with pytest.raises(CommandError, match=message):
        call_command("invoice", *args)
    assert Invoice.objects.count() == 0

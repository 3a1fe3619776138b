"""A cluster manager follows up the prospects, who else of the sector should join."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from grappe.core.models import AuditEntry
from grappe.members.models import Prospect
from grappe.territory.models import Establishment
from tests.factories import new_siret

pytestmark = pytest.mark.e2e


def establishment(**fields) -> Establishment:
    siret = new_siret()
    return Establishment.objects.create(
        siret=siret, siren=siret[:9], commune_code="75118", postcode="75018", **fields
    )


@pytest.fixture
def prospects(world):
    ordener = establishment(name="Studio Ordener", naf_code="59.20Z", address="40 rue Ordener")
    masked = establishment(naf_code="90.04Z", address="3 rue Cachée", is_partial_diffusion=True)
    return (
        Prospect.objects.create(cluster=world.paris, establishment=ordener),
        Prospect.objects.create(cluster=world.paris, establishment=masked),
    )


def test_manager_marks_a_prospect_contacted_in_place(page, login, world, prospects, screenshot):
    prospect, masked = prospects
    login(world.manager, next_url="/c/paris/")
    page.get_by_text("Gestion", exact=True).click()
    page.get_by_role("link", name="Prospects").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Qui d'autre devrait adhérer ?")

    row = page.locator(f"#prospect-{prospect.pk}")
    expect(row).to_contain_text("Studio Ordener")
    expect(row).to_contain_text("40 rue Ordener 75018")
    # Partial diffusion: the registry's address stays masked.
    hidden = page.locator(f"#prospect-{masked.pk}")
    expect(hidden).to_contain_text(f"Établissement {masked.establishment.siret}")
    expect(hidden).to_contain_text("adresse non diffusée")
    expect(hidden).not_to_contain_text("rue Cachée")

    page.evaluate("window.notReloaded = true")
    row.get_by_label("Statut").select_option(label="Contacté")
    with page.expect_response(re.compile(rf"/manage/prospects/{prospect.pk}/update/$")) as answer:
        row.get_by_role("button", name="OK : Studio Ordener").click()
    assert answer.value.request.headers.get("hx-request") == "true"
    with translation.override("fr"):
        today = date_format(timezone.localdate(), "j N")
    expect(row).to_contain_text(f"contacté le {today}")
    expect(row.get_by_label("Statut")).to_have_value("contacted")
    assert page.evaluate("window.notReloaded") is True  # htmx swapped the row alone
    screenshot("prospects-contacted")

    prospect.refresh_from_db()
    assert prospect.status == Prospect.Status.CONTACTED
    assert prospect.contacted_at is not None
    entry = AuditEntry.objects.get(action="prospect.status", target_id=str(prospect.pk))
    assert (entry.actor, entry.changes) == (world.manager, {"status": ["new", "contacted"]})
    masked.refresh_from_db()
    assert (masked.status, masked.contacted_at) == (Prospect.Status.NEW, None)

"""A visitor finds member firms in the public directory and opens a profile."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from grappe.members.selectors import DirectoryFilters, directory_search
from tests.factories import make_member, make_org

pytestmark = pytest.mark.e2e


@pytest.fixture
def directory(world):
    """The world's two Paris members, plus studios in two arrondissements and other trades."""
    orgs = {
        "bleu": make_org(
            "Studio Bleu",
            description="Enregistrement, mixage et mastering pour les groupes du quartier.",
            tags=["studio", "mixage"],
            size_band="02",
            address="12 rue Myrha",
            postcode="75018",
            website="https://studio-bleu.example.org",
        ),
        "batignolles": make_org(
            "Studio des Batignolles",
            commune="75117",
            description="Prise de son, répétitions et location de backline.",
            tags=["studio"],
        ),
        "video": make_org(
            "Studio Vidéo Goutte d'Or",
            naf="59.11A",
            description="Tournage et montage de clips.",
            tags=["vidéo"],
        ),
        "salle": make_org(
            "La Boule Noire",
            naf="90.04Z",
            description="Salle de concert rock de 200 places.",
            tags=["salle de concert"],
        ),
    }
    for org in orgs.values():
        make_member(world.paris, org)
    return orgs


def result_names(page) -> list[str]:
    return page.locator("#results article h3").all_inner_texts()


def stored_names(world, **filters) -> list[str]:
    found = directory_search(cluster=world.paris, filters=DirectoryFilters(**filters))
    return [org.name for org in found]


def test_visitor_searches_in_french_filters_by_commune_and_opens_a_profile(
    page, world, directory, screenshot
):
    """Plural and accents do not matter, every word must match; the commune narrows it down."""
    page.goto("/c/paris/directory/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuaire des membres")
    expect(page.locator("#result-count")).to_have_text("6 structures")

    # Typed as a person would: htmx searches as they type, without reloading the page.
    search = page.get_by_role("searchbox", name="Rechercher")
    search.press_sequentially("studios enregistrement")
    expect(page).to_have_url(re.compile(r"q=studios(%20|\+)enregistrement"))
    expect(page.locator("#result-count")).to_have_text("3 structures")
    # The video studio records no sound, the label is no studio; the page shows the stored
    # ranking (equal ranks by name).
    assert result_names(page) == ["Studio Alpha", "Studio Bleu", "Studio des Batignolles"]
    assert result_names(page) == stored_names(world, query="studios enregistrement")
    screenshot("directory-search-results")
    # The page uses the site's full width, aligned with the header, however few results.
    main, header = page.locator("main").bounding_box(), page.locator(".header-row").bounding_box()
    assert (main["x"], main["width"]) == (header["x"], header["width"])

    page.get_by_label("Commune").select_option("75117")
    expect(page.locator("#result-count")).to_have_text("1 structure")
    assert result_names(page) == ["Studio des Batignolles"]
    expect(page).to_have_url(re.compile(r"commune=75117"))
    expect(search).to_have_value("studios enregistrement")

    page.get_by_label("Commune").select_option("75118")
    expect(page.locator("#result-count")).to_have_text("2 structures")
    page.get_by_role("link", name="Studio Bleu").click()

    expect(page).to_have_url(f"/c/paris/organisations/{directory['bleu'].slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Studio Bleu")
    expect(
        page.get_by_text("Enregistrement sonore et édition musicale · Paris 18e")
    ).to_be_visible()
    expect(page.get_by_text("Enregistrement, mixage et mastering")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(directory["bleu"].siret)
    expect(facts).to_contain_text("12 rue Myrha, 75018 Paris 18e Arrondissement")
    expect(page.get_by_role("link", name="mixage")).to_have_attribute(
        "href", "/c/paris/directory/?tag=mixage"
    )
    # A visitor sees no edit button and no membership details.
    expect(page.get_by_role("link", name="Modifier le profil")).to_have_count(0)
    expect(page.get_by_text("Cotisation")).to_have_count(0)
    screenshot("directory-profile")


def test_visitor_filters_by_sector_and_a_tag_link_leads_back_to_the_directory(
    page, world, directory
):
    """The sector facet lists sectors with counts; only that sector's members remain."""
    page.goto("/c/paris/")
    page.get_by_role("link", name="Parcourir l'annuaire").click()
    expect(page).to_have_url("/c/paris/directory/")
    page.wait_for_load_state()  # htmx is deferred: it listens once the page has loaded
    sector = page.get_by_label("Secteur")
    expect(sector.locator("option")).to_contain_text(
        ["—", "Production de films", "Enregistrement sonore et édition musicale (4)", "salles"]
    )
    sector.select_option(label="Gestion de salles de spectacles (1)")
    expect(page.locator("#result-count")).to_have_text("1 structure")
    assert result_names(page) == ["La Boule Noire"] == stored_names(world, naf="90.04Z")

    page.get_by_role("link", name="La Boule Noire").click()
    page.get_by_role("link", name="salle de concert").click()
    expect(page).to_have_url("/c/paris/directory/?tag=salle-de-concert")
    assert result_names(page) == ["La Boule Noire"]


def test_a_search_that_finds_nothing_says_so(page, world, directory):
    page.goto("/c/paris/directory/?q=luthier")
    expect(page.locator("#results")).to_contain_text(
        "Aucune structure ne correspond à cette recherche."
    )
    expect(page.locator("#result-count")).to_have_text("0 structure")
    # Each language is offered in its own name.
    expect(page.get_by_label("Langue").locator("option")).to_have_text(["Français", "English"])
    assert stored_names(world, query="luthier") == []

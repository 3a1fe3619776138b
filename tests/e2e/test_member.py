"""A member firm's person keeps its profile up to date and posts a need to the cluster."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from grappe.core.models import AuditEntry
from grappe.members.models import Post

pytestmark = pytest.mark.e2e


def field(page, label: str):
    """The form field labelled exactly ``label`` (Django adds " :" in French)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}(\s*:)?$"))


def test_member_edits_the_profile_then_finds_it_in_the_directory(
    page, open_page, login, world, screenshot
):
    org = world.org_a
    login(world.member_a, next_url="/c/paris/")
    page.get_by_role("link", name="Modifier le profil").click()
    expect(page).to_have_url(f"/c/paris/organisations/{org.slug}/update/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Profil de Studio Alpha")
    expect(field(page, "Nom")).to_have_value("Studio Alpha")
    expect(field(page, "Mots-clés")).to_have_value("studio")

    field(page, "Tranche d'effectif").select_option("02")
    field(page, "Adresse").fill("5 rue Myrha")
    field(page, "Code postal").fill("75018")
    field(page, "Site web").fill("https://studio-alpha.example.org")
    field(page, "Présentation").fill(
        "Studio d'enregistrement analogique : console à lampes, magnétophone 24 pistes."
    )
    field(page, "Savoir-faire").fill("Prise de son de groupes, mixage sur bandes.")
    field(page, "Mots-clés").fill("studio, analogique, mixage")
    screenshot("member-profile-form")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page).to_have_url(f"/c/paris/organisations/{org.slug}/")
    expect(page.get_by_role("status")).to_have_text("Profil enregistré.")
    expect(page.get_by_text("console à lampes, magnétophone 24 pistes")).to_be_visible()
    expect(page.get_by_role("heading", name="Savoir-faire")).to_be_visible()
    identity, membership = page.locator("dl.facts").all()
    expect(identity).to_contain_text("5 rue Myrha, 75018 Paris 18e Arrondissement")
    expect(identity).to_contain_text("3 à 5 salariés")
    expect(page.locator("main a.tag")).to_have_text(["analogique", "mixage", "studio"])
    # Its own people see the membership details.
    expect(membership).to_contain_text("Cotisation100,00 € — ")
    screenshot("member-profile")

    org.refresh_from_db()
    assert (org.address, org.postcode, org.size_band) == ("5 rue Myrha", "75018", "02")
    assert org.website == "https://studio-alpha.example.org"
    assert org.skills == "Prise de son de groupes, mixage sur bandes."
    assert sorted(org.tags.values_list("name", flat=True)) == ["analogique", "mixage", "studio"]
    entry = AuditEntry.objects.get(action="organisation.update", target_id=str(org.pk))
    assert entry.actor == world.member_a
    assert set(entry.changes) >= {"address", "description", "skills", "tags", "website"}

    # The search index follows: a visitor finds the firm by its new words.
    visitor = open_page()
    visitor.goto("/c/paris/directory/?q=lampes+analogiques")
    expect(visitor.locator("#results article h3")).to_have_text(["Studio Alpha"])


def test_member_posts_a_need_for_the_members_only(page, open_page, login, world, screenshot):
    login(world.member_a, next_url="/c/paris/")
    nav = page.get_by_role("navigation", name="Navigation de la grappe")
    nav.get_by_role("link", name="Besoins et offres").click()
    expect(page).to_have_url("/c/paris/posts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Besoins et offres")

    publish = page.locator("aside form")
    field(publish, "Type").select_option(label="Besoin")
    field(publish, "Titre").fill("Local de stockage pour backline")
    field(publish, "Texte").fill(
        "Nous cherchons 10 m² au sec près de la Goutte d'Or, à partager entre studios."
    )
    field(publish, "Visibilité").select_option(label="Membres de la grappe")
    publish.get_by_role("button", name="Publier").click()

    expect(page).to_have_url("/c/paris/posts/")
    expect(page.get_by_role("status")).to_have_text("Publié.")
    newest = page.locator("article.post").first
    expect(newest.get_by_role("heading")).to_have_text("Local de stockage pour backline")
    expect(newest).to_contain_text("Besoin")
    expect(newest).to_contain_text("Studio Alpha")
    expect(newest).to_contain_text("Membres de la grappe")
    expect(newest).to_contain_text("près de la Goutte d'Or")
    screenshot("member-posted-need")

    post = Post.objects.get(title="Local de stockage pour backline")
    assert (post.cluster, post.organisation, post.author) == (
        world.paris,
        world.org_a,
        world.member_a,
    )
    assert (post.kind, post.visibility, post.closed_at) == ("need", "cluster", None)
    assert (
        post.text == "Nous cherchons 10 m² au sec près de la Goutte d'Or, à partager entre studios."
    )

    # Another member firm reads it; the public profile does not show it.
    colleague = open_page()
    login(world.member_b, tab=colleague, next_url="/c/paris/posts/?kind=need")
    expect(colleague.get_by_role("heading", name="Local de stockage pour backline")).to_be_visible()
    visitor = open_page()
    visitor.goto(f"/c/paris/organisations/{world.org_a.slug}/")
    expect(visitor.get_by_role("heading", name="Besoin public")).to_be_visible()
    expect(visitor.get_by_text("Local de stockage pour backline")).to_have_count(0)


def test_an_empty_title_is_refused_and_nothing_is_stored(page, login, world):
    login(world.member_a, next_url="/c/paris/posts/")
    publish = page.locator("aside form")
    field(publish, "Type").select_option(label="Offre")
    field(publish, "Texte").fill("Une offre sans titre.")
    publish.get_by_role("button", name="Publier").click()
    expect(publish.locator(".errorlist")).to_have_text("Ce champ est obligatoire.")
    expect(field(publish, "Texte")).to_have_value("Une offre sans titre.")
    assert not Post.objects.filter(text="Une offre sans titre.").exists()

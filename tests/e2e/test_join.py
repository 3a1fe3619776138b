"""A firm asks to join, a manager admits it, its contact person opens the e-mailed link."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from grappe.core.models import User
from grappe.members.models import Invitation, JoinRequest, Membership, Organisation, Person
from tests.factories import new_siret

pytestmark = pytest.mark.e2e

CONTACT = "camille.roux@studio-myrha.example.org"


def field(page, label: str):
    """The form field labelled exactly ``label`` (Django adds " :" in French)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}(\s*:)?$"))


def submit_join_request(page, siret: str, screenshot=None) -> None:
    page.goto("/c/paris/")
    page.get_by_role("link", name="Demander à adhérer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Adhérer à Musique Paris 18e")
    page.get_by_label("Nom de la structure").fill("Studio Myrha")
    page.get_by_label("SIRET, SIREN ou RNA").fill(siret)
    page.get_by_label("Catégorie juridique").select_option("5710")
    page.get_by_label("Code NAF").fill("59.20Z")
    page.get_by_label("Commune").select_option(label="Paris 18e Arrondissement")
    page.get_by_label("Adresse").fill("12 rue Myrha")
    page.get_by_label("Site web").fill("https://studio-myrha.example.org")
    page.get_by_label("Présentation").fill("Studio d'enregistrement et de répétition.")
    page.get_by_label("Prénom").fill("Camille")
    field(page, "Nom").fill("Roux")
    page.get_by_label("E-mail").fill(CONTACT)
    page.get_by_label("Fonction").fill("Gérante")
    page.get_by_label("Message").fill("Nous aimerions partager un local de stockage.")
    page.get_by_label("J'accepte que la grappe traite ces informations").check()
    if screenshot:
        screenshot("join-form")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demande envoyée")


def test_join_request_admitted_then_the_contact_creates_an_account_from_the_email(
    page, open_page, login, live_server, world, mailoutbox, screenshot
):
    siret = new_siret()

    # 1. A visitor fills in the public form; the managers are told.
    submit_join_request(page, siret, screenshot)
    expect(
        page.get_by_text("L'équipe de Musique Paris 18e va étudier votre demande")
    ).to_be_visible()
    request = JoinRequest.objects.get(cluster=world.paris, identifier=siret)
    assert (request.status, request.organisation_name) == ("pending", "Studio Myrha")
    assert (request.commune_id, request.legal_form, request.contact_email) == (
        "75118",
        "5710",
        CONTACT,
    )
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["manager@example.org"], "Nouvelle demande d'adhésion : Studio Myrha")
    ]
    mailoutbox.clear()

    # 2. The manager signs in, finds the request in the queue and admits it.
    manager = open_page()
    login(world.manager, tab=manager, next_url="/c/paris/")
    manager.get_by_role("link", name="1 demande d'adhésion en attente").click()
    expect(manager).to_have_url("/c/paris/manage/join-requests/")
    row = manager.get_by_role("row", name=re.compile("Studio Myrha"))
    expect(row).to_contain_text(siret)
    expect(row).to_contain_text("Camille Roux")
    row.get_by_role("link", name="Studio Myrha").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("Studio Myrha")
    expect(manager.locator("dl.facts")).to_contain_text(CONTACT)
    expect(manager.get_by_text("Nous aimerions partager un local de stockage.")).to_be_visible()
    manager.get_by_label("Message au demandeur").fill(
        "Bienvenue ! Le local de stockage est justement à l'ordre du jour."
    )
    manager.get_by_label("Cotisation annuelle (€)").fill("120")
    screenshot("join-decision", manager)
    manager.get_by_role("button", name="Admettre").click()

    expect(manager).to_have_url("/c/paris/manage/join-requests/")
    expect(manager.get_by_role("status")).to_have_text(
        "Studio Myrha est admise. Une invitation a été envoyée à son contact."
    )
    expect(manager.get_by_text("Aucune demande.")).to_be_visible()
    manager.get_by_role("link", name="Admise").click()
    expect(manager.get_by_role("row", name=re.compile("Studio Myrha"))).to_be_visible()
    screenshot("join-queue-admitted", manager)

    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("admitted", world.manager)
    org = Organisation.objects.get(siret=siret)
    assert request.organisation == org
    membership = Membership.objects.get(cluster=world.paris, organisation=org)
    assert (membership.status, membership.fee_amount) == ("active", Decimal("120.00"))
    person = Person.objects.get(organisation=org, email=CONTACT)
    assert person.user is None
    invitation = Invitation.objects.get(cluster=world.paris, email=CONTACT)
    assert (invitation.organisation, invitation.accepted_at) == (org, None)

    # 3. The e-mail (sent by the live server's thread into the same outbox) carries the link.
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [CONTACT]
    assert email.subject == "Invitation à rejoindre Musique Paris 18e sur Grappe"
    assert "Bonne nouvelle : Studio Myrha est désormais membre de Musique Paris 18e." in email.body
    assert "Le local de stockage est justement à l'ordre du jour." in email.body
    link = re.search(r"https?://\S+/invitations/\S+/", email.body).group(0)
    assert link.startswith(live_server.url + "/invitations/")

    # 4. The contact person opens it, creates the account and lands in the cluster.
    newcomer = open_page()
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Rejoindre Musique Paris 18e")
    expect(newcomer.get_by_text("Vous êtes invité·e au titre de Studio Myrha.")).to_be_visible()
    expect(newcomer.get_by_text(f"Créez votre compte pour {CONTACT}.")).to_be_visible()
    newcomer.get_by_label("Nom complet").fill("Camille Roux")
    field(newcomer, "Mot de passe").fill("tambour-violon-42")
    newcomer.get_by_label("Confirmez le mot de passe").fill("tambour-violon-42")
    newcomer.get_by_role("button", name="Créer mon compte").click()

    expect(newcomer).to_have_url("/c/paris/")
    expect(newcomer.get_by_role("status")).to_have_text("Bienvenue ! Votre compte est prêt.")
    expect(newcomer.locator(".user-nav summary")).to_have_text("Camille")
    expect(newcomer.get_by_role("heading", name="Ma structure")).to_be_visible()
    expect(newcomer.get_by_role("link", name="Modifier le profil")).to_be_visible()
    stats = newcomer.locator(".stats")
    expect(stats).to_contain_text("3 structures membres")
    expect(stats).to_contain_text("1 commune représentée")
    cluster_nav = newcomer.get_by_role("navigation", name="Navigation de la grappe")
    expect(cluster_nav.get_by_role("link", name="Besoins et offres")).to_be_visible()
    screenshot("join-newcomer-home", newcomer)

    user = User.objects.get(email=CONTACT)
    assert user.check_password("tambour-violon-42")
    assert user.full_name == "Camille Roux"
    person.refresh_from_db()
    assert person.user == user
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None

    # The link is single-use.
    newcomer.goto(link)
    expect(
        newcomer.get_by_text("Cette invitation a déjà été utilisée. Connectez-vous.")
    ).to_be_visible()


def test_a_second_request_for_the_same_firm_is_refused_with_the_reason(page, world):
    siret = new_siret()
    submit_join_request(page, siret)
    page.goto("/c/paris/join/")
    page.get_by_label("Nom de la structure").fill("Studio Myrha")
    page.get_by_label("SIRET, SIREN ou RNA").fill(siret)
    page.get_by_label("Prénom").fill("Camille")
    field(page, "Nom").fill("Roux")
    page.get_by_label("E-mail").fill(CONTACT)
    page.get_by_label("J'accepte que la grappe traite ces informations").check()
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.locator(".errors-box")).to_have_text(
        "Une demande pour cette structure est déjà en cours d'examen."
    )
    assert JoinRequest.objects.filter(identifier=siret).count() == 1

import pytest
from django.core import mail
from django.core.cache import cache

from grappe.members.models import JoinRequest, Membership, Organisation, Post
from tests.factories import new_siret

pytestmark = pytest.mark.django_db


def form(**overrides):
    return {
        "organisation_name": "Studio Nouveau",
        "identifier": new_siret(),
        "commune": "75118",
        "contact_first_name": "Lina",
        "contact_last_name": "Benali",
        "contact_email": "lina@studio-nouveau.fr",
        "consent": "on",
        **overrides,
    }


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


def test_public_join_form_stores_the_request(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/c/paris/join/", form())
    assert response.status_code == 200 and "Demande envoyée" in response.content.decode()
    assert JoinRequest.objects.get().organisation_name == "Studio Nouveau"
    assert mail.outbox[0].to == ["manager@example.org"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"identifier": "12345678901234"}, "clé de contrôle"),
        ({"consent": ""}, "obligatoire"),
        ({"contact_email": "pas-un-mail"}, "adresse de courriel valide"),
        ({"commune": "69381"}, "choix valide"),  # outside the cluster's territory
    ],
)
def test_join_form_refuses_bad_input_and_stores_nothing(client, world, overrides, message):
    response = client.post("/c/paris/join/", form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert JoinRequest.objects.count() == 0


def test_honeypot_is_silently_ignored(client, world):
    response = client.post("/c/paris/join/", form(website_confirm="http://spam.example"))
    assert "Demande envoyée" in response.content.decode()
    assert JoinRequest.objects.count() == 0


def test_join_form_is_rate_limited(client, world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "join-request": (2, 3600)}
    for _ in range(2):
        client.post("/c/paris/join/", form())
    response = client.post("/c/paris/join/", form())
    assert response.status_code == 429
    assert "Trop de demandes" in response.content.decode()
    assert JoinRequest.objects.count() == 2


def test_login_is_rate_limited(client, world):
    for _ in range(5):
        client.post("/accounts/login/", {"login": "manager@example.org", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"login": "manager@example.org", "password": "pw-Secret-123"}
    )
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_manager_admits_from_the_queue(client, world, django_capture_on_commit_callbacks):
    client.post("/c/paris/join/", form())
    jr = JoinRequest.objects.get()
    client.force_login(world.manager)
    assert "Studio Nouveau" in client.get("/c/paris/manage/join-requests/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/c/paris/manage/join-requests/{jr.pk}/",
            {"action": "admit", "message": "Bienvenue", "fee_amount": "120.00"},
        )
    assert response.status_code == 302
    org = Organisation.objects.get(name="Studio Nouveau")
    assert Membership.objects.get(organisation=org, cluster=world.paris).status == "active"
    assert any("/invitations/" in m.body for m in mail.outbox)


def test_member_posts_a_need_from_the_page(client, world):
    client.force_login(world.member_a)
    response = client.post(
        "/c/paris/posts/",
        {
            "organisation": world.org_a.pk,
            "kind": "need",
            "title": "Camion",
            "text": "Un utilitaire pour mars",
            "visibility": "cluster",
        },
    )
    assert response.status_code == 302
    post = Post.objects.get(title="Camion")
    assert (post.organisation, post.author, post.cluster) == (
        world.org_a,
        world.member_a,
        world.paris,
    )


def test_member_cannot_post_for_another_firm_from_the_page(client, world):
    client.force_login(world.member_a)
    response = client.post(
        "/c/paris/posts/",
        {
            "organisation": world.org_b.pk,
            "kind": "need",
            "title": "Usurpation",
            "text": "x",
            "visibility": "cluster",
        },
    )
    assert response.status_code == 200  # the form refuses a firm that is not the member's
    assert not Post.objects.filter(title="Usurpation").exists()


def test_member_edits_profile_from_the_page(client, world):
    client.force_login(world.member_a)
    response = client.post(
        f"/c/paris/organisations/{world.org_a.slug}/update/",
        {
            "name": "Studio Alpha",
            "legal_form": "5710",
            "naf_code": "59.20Z",
            "size_band": "01",
            "address": "1 rue Myrha",
            "postcode": "75018",
            "commune": "75118",
            "website": "",
            "email": "",
            "phone": "",
            "description": "Studio de mixage",
            "skills": "",
            "tags_text": "mixage, studio",
        },
    )
    assert response.status_code == 302
    world.org_a.refresh_from_db()
    assert world.org_a.description == "Studio de mixage" and world.org_a.size_band == "01"
    assert sorted(world.org_a.tags.values_list("name", flat=True)) == ["mixage", "studio"]


def pdf(name="statuts.pdf", content=b"%PDF-1.4 statuts de l'association"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_attachment_is_private_and_served_to_managers_only(client, world, settings):
    client.post("/c/paris/join/", form(attachment=pdf()))
    jr = JoinRequest.objects.get()
    assert jr.attachment.name.startswith("join-requests/")
    assert not jr.attachment.name.startswith(str(settings.MEDIA_ROOT))
    url = f"/c/paris/manage/join-requests/{jr.pk}/attachment/"
    assert client.get(url).status_code == 302  # anonymous → login
    for user, code in [(world.member_a, 403), (world.lyon_manager, 404), (world.manager, 200)]:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == code
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"
    assert client.get(f"/media/{jr.attachment.name}").status_code == 404


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (pdf(name="virus.exe", content=b"MZ..."), "Type de fichier refusé"),
        (pdf(name="faux.pdf", content=b"MZ not a pdf"), "ne correspond pas"),
    ],
)
def test_bad_attachments_are_refused(client, world, upload, message):
    response = client.post("/c/paris/join/", form(attachment=upload))
    assert message in response.content.decode()
    assert JoinRequest.objects.count() == 0


def test_oversized_attachment_is_refused(client, world, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    response = client.post("/c/paris/join/", form(attachment=pdf(content=b"%PDF" + b"x" * 2048)))
    assert "trop volumineux" in response.content.decode()
    assert JoinRequest.objects.count() == 0


def test_manager_invites_a_prospect_with_a_prefilled_join_link(
    client, world, django_capture_on_commit_callbacks
):
    from grappe.members.models import Prospect
    from grappe.territory.models import Establishment

    siret = new_siret()
    establishment = Establishment.objects.create(
        siret=siret,
        siren=siret[:9],
        name="Studio Prospect",
        naf_code="59.20Z",
        commune_code="75118",
    )
    prospect = Prospect.objects.create(cluster=world.paris, establishment=establishment)
    client.force_login(world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/c/paris/manage/prospects/{prospect.pk}/invite/",
            {"email": "contact@prospect.fr", "message": "Venez nous voir"},
        )
    assert response.status_code == 302
    prospect.refresh_from_db()
    assert prospect.status == "invited" and "contact@prospect.fr" in prospect.note
    body = mail.outbox[-1].body
    assert mail.outbox[-1].to == ["contact@prospect.fr"] and "Venez nous voir" in body
    link = next(word for word in body.split() if "/c/paris/join/?" in word)
    page = client.get(link.replace("http://127.0.0.1:8000", ""))
    assert f'value="{siret}"' in page.content.decode()
    assert "Studio Prospect" in page.content.decode()


def test_prospect_of_another_cluster_cannot_be_invited(client, world):
    from grappe.members.models import Prospect
    from grappe.territory.models import Establishment

    siret = new_siret()
    establishment = Establishment.objects.create(
        siret=siret, siren=siret[:9], name="Lyon Prospect", naf_code="59.11A", commune_code="69381"
    )
    prospect = Prospect.objects.create(cluster=world.lyon, establishment=establishment)
    client.force_login(world.manager)
    response = client.post(f"/c/paris/manage/prospects/{prospect.pk}/invite/", {"email": "a@b.fr"})
    assert response.status_code == 404
    prospect.refresh_from_db()
    assert prospect.status == "new"
    assert not mail.outbox

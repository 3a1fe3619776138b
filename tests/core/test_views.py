import json
import os
import subprocess
import sys

import pytest
from django.core import mail
from django.urls import reverse

from grappe.core.emails import send_email_on_commit, unsubscribe_token
from grappe.core.models import ApiToken, AuditEntry, User
from grappe.members.models import Person

pytestmark = pytest.mark.django_db


def test_manager_edits_cluster_settings_and_it_is_audited(client, world):
    client.force_login(world.manager)
    url = reverse("core:cluster-settings", args=["paris"])
    response = client.post(
        url,
        {
            "name": "Musique 18e",
            "description": "Nouvelle présentation",
            "commune_codes": "75118, 75117",
            "naf_codes_text": "59.20Z, 90.01Z",
            "contact_email": "",
            "website": "",
            "legal_name": "",
            "siret": "",
            "address": "",
            "is_listed": "on",
        },
    )
    assert response.status_code == 302
    world.paris.refresh_from_db()
    assert world.paris.name == "Musique 18e"
    assert world.paris.naf_codes == ["59.20Z", "90.01Z"]
    assert sorted(world.paris.communes.values_list("code", flat=True)) == ["75117", "75118"]
    assert AuditEntry.objects.filter(action="cluster.update", actor=world.manager).exists()


def test_settings_refuse_unknown_commune_and_change_nothing(client, world):
    client.force_login(world.manager)
    response = client.post(
        reverse("core:cluster-settings", args=["paris"]),
        {"name": "Autre nom", "commune_codes": "99999", "naf_codes_text": "", "is_listed": "on"},
    )
    assert response.status_code == 200
    assert "Communes inconnues : 99999" in response.content.decode()
    world.paris.refresh_from_db()
    assert world.paris.name == "Musique Paris 18e"


def test_unsubscribe_link_stops_non_essential_mail(
    client, world, django_capture_on_commit_callbacks
):
    token = unsubscribe_token(world.member_a.email)
    response = client.post(reverse("core:unsubscribe", args=[token]))
    assert response.status_code == 200
    world.member_a.refresh_from_db()
    assert world.member_a.emails_opted_out_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        send_email_on_commit(
            to=world.member_a.email,
            subject="Digest",
            template="members/email/renewal_reminder",
            context={"membership": None, "cluster": world.paris},
        )
        send_email_on_commit(
            to=world.member_a.email,
            subject="Facture",
            template="members/email/renewal_reminder",
            context={"membership": None, "cluster": world.paris},
            essential=True,
        )
    assert [m.subject for m in mail.outbox] == ["Facture"]
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers
    assert "/unsubscribe/" in mail.outbox[0].body


def test_forged_unsubscribe_token_is_refused(client, world):
    response = client.post(reverse("core:unsubscribe", args=["forged:token"]))
    assert response.status_code == 400
    world.member_a.refresh_from_db()
    assert world.member_a.emails_opted_out_at is None


def test_export_contains_the_person_and_nothing_of_others(client, world):
    client.force_login(world.member_a)
    response = client.get(reverse("core:my-data-export"))
    data = json.loads(response.content)
    assert data["account"]["email"] == "member_a@example.org"
    assert [p["organisation"] for p in data["members"]["people"]] == ["Studio Alpha"]
    assert "member_b@example.org" not in response.content.decode()


def test_erase_removes_account_and_people_but_keeps_the_firm(client, world):
    client.force_login(world.member_a)
    refused = client.post(reverse("core:my-data-erase"), {"confirm": "oui"})
    assert refused.status_code == 400
    assert User.objects.filter(email="member_a@example.org").exists()
    response = client.post(reverse("core:my-data-erase"), {"confirm": "EFFACER"})
    assert response.status_code == 302
    assert not User.objects.filter(email="member_a@example.org").exists()
    assert not Person.objects.filter(email="member_a@example.org").exists()
    world.org_a.refresh_from_db()
    assert world.org_a.name == "Studio Alpha"


def test_api_token_is_shown_once_and_stored_hashed(client, world):
    client.force_login(world.manager)
    response = client.post(reverse("core:api-tokens"), {"name": "Tableur"})
    key = response.context["new_key"]
    token = ApiToken.objects.get(user=world.manager)
    assert key.startswith("grp_") and token.key_hash == ApiToken.hash_key(key)
    assert key not in token.key_hash
    client.post(reverse("core:api-token-revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_legal_pages_are_public_and_french(client):
    assert "Politique de confidentialité" in client.get("/privacy/").content.decode()
    assert "Mentions légales" in client.get("/legal/").content.decode()


def test_english_is_available(client):
    response = client.get("/legal/", headers={"accept-language": "en"})
    assert response.status_code == 200
    assert 'lang="en"' in response.content.decode()


def test_check_deploy_passes_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "grappe.settings",
        "DEBUG": "false",
        "SECRET_KEY": "k" * 20 + "production-like-secret-" + "x7Q!" * 10,
        "ALLOWED_HOSTS": "grappe.example.org",
        "GRAPPE_VAR_DIR": str(tmp_path),
    }
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "grappe", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_settings_refuse_a_missing_secret_key(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "grappe.settings", "DEBUG": "false"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "grappe", "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_fresh_checkout_migrates_into_a_var_folder_it_creates(tmp_path):
    """`make demo` on a fresh clone: no var/ yet, the default SQLite database goes there."""
    var = tmp_path / "fresh" / "var"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "grappe.settings", "DEBUG": "1"}
    env["GRAPPE_VAR_DIR"] = str(var)
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "grappe", "migrate", "sessions", "--verbosity", "1"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert (var / "grappe.sqlite3").stat().st_size > 0


def test_health_check_answers_without_a_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_text_emails_are_not_html_escaped(world, django_capture_on_commit_callbacks):
    from grappe.members.models import Membership

    membership = Membership.objects.get(organisation=world.org_a)
    membership.organisation.name = "Studio d'Or & Fils"
    with django_capture_on_commit_callbacks(execute=True):
        send_email_on_commit(
            to="x@example.org",
            subject="Renouvellement",
            template="members/email/renewal_reminder",
            context={"membership": membership, "cluster": world.paris},
        )
    assert "Studio d'Or & Fils" in mail.outbox[0].body
    assert "&#x27;" not in mail.outbox[0].body and "&amp;" not in mail.outbox[0].body


def test_collectstatic_works_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "grappe.settings",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 60,
        "GRAPPE_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "grappe", "collectstatic", "--noinput", "-v", "0"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    assert "grappe/grappe.css" in manifest["paths"]
    assert "vendor/leaflet/leaflet.js" in manifest["paths"]
    hashed = tmp_path / "static" / manifest["paths"]["grappe/grappe.css"]
    assert hashed.exists() and hashed.with_name(hashed.name + ".gz").exists()


def test_manager_removes_an_observer_but_never_the_last_manager(client, world):
    from grappe.core.models import ClusterRole

    client.force_login(world.manager)
    page = client.get("/c/paris/manage/settings/").content.decode()
    assert "observer@example.org" in page
    observer = ClusterRole.objects.get(cluster=world.paris, role="observer")
    client.post(f"/c/paris/manage/staff/{observer.pk}/revoke/")
    assert not ClusterRole.objects.filter(pk=observer.pk).exists()
    assert AuditEntry.objects.filter(action="role.revoke", actor=world.manager).exists()
    own = ClusterRole.objects.get(cluster=world.paris, role="manager")
    response = client.post(f"/c/paris/manage/staff/{own.pk}/revoke/", follow=True)
    assert "au moins un" in response.content.decode()
    assert ClusterRole.objects.filter(pk=own.pk).exists()
    lyon = ClusterRole.objects.get(cluster=world.lyon, role="manager")
    assert client.post(f"/c/paris/manage/staff/{lyon.pk}/revoke/").status_code == 404
    assert ClusterRole.objects.filter(pk=lyon.pk).exists()

"""A NUL character (0x00) in a request is refused with a clear message before any view runs,
on SQLite as on PostgreSQL (whose text cannot hold it), and nothing is stored."""

import json

import pytest

from grappe.core.services import api_token_create
from grappe.members.models import Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(world):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=world.manager, name='t')[1]}"}


def test_api_query_parameter_with_nul_is_refused_in_json(client, world, bearer):
    response = client.get("/api/clusters/paris/prospects", {"commune": "75\x0018"}, **bearer)
    assert response.status_code == 400
    assert "caractère nul" in response.json()["detail"]


def test_api_json_body_with_nul_is_refused_and_nothing_is_stored(client, world):
    token = api_token_create(user=world.member_a, name="t")[1]
    payload = {
        "organisation": world.org_a.slug,
        "kind": "need",
        "title": "Camion\x00",
        "text": "Un utilitaire",
    }
    response = client.post(
        "/api/clusters/paris/posts",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 400
    assert "caractère nul" in response.json()["detail"]
    assert not Post.objects.filter(title__startswith="Camion").exists()
    # The same body without the NUL is accepted: the refusal is about the NUL only.
    payload["title"] = "Camion"
    response = client.post(
        "/api/clusters/paris/posts",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201
    assert Post.objects.filter(title="Camion", organisation=world.org_a).count() == 1


def test_an_escaped_backslash_u0000_is_ordinary_text(client, world):
    token = api_token_create(user=world.member_a, name="t")[1]
    payload = {"organisation": world.org_a.slug, "kind": "offer", "title": r"a\u0000b", "text": "x"}
    response = client.post(
        "/api/clusters/paris/posts",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201
    assert Post.objects.get(organisation=world.org_a, kind="offer").title == r"a\u0000b"


def test_page_form_with_nul_is_refused_and_nothing_is_stored(client, world):
    client.force_login(world.member_a)
    response = client.post(
        "/c/paris/posts/",
        {
            "organisation": world.org_a.pk,
            "kind": "need",
            "title": "Camion",
            "text": "Un utilitaire\x00 pour mars",
            "visibility": "cluster",
        },
    )
    assert response.status_code == 400
    assert "caractère nul" in response.content.decode()
    assert not Post.objects.filter(title="Camion").exists()


def test_page_search_with_nul_is_refused(client, world):
    client.force_login(world.manager)
    response = client.get("/c/paris/manage/prospects/", {"commune": "\x00"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")


def test_a_malformed_form_body_under_the_api_still_answers_json(client, world, bearer):
    response = client.generic(
        "POST",
        "/api/clusters/paris/posts",
        b"--x\r\n",
        content_type="multipart/form-data",  # no boundary
        **bearer,
    )
    assert response.status_code == 400
    assert response.json()["detail"]
    assert not Post.objects.filter(cluster=world.paris, author=world.manager).exists()

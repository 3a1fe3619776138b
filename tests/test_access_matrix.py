"""The access matrix: role × object × action, through the pages and the API.

Rules (DESIGN.md): another cluster's rows, and another firm's private rows, answer
404; a person of the cluster without the needed role gets 403; an anonymous visitor
is sent to the login page (pages) or sees public data only (API).
"""

import pytest

from grappe.core.services import api_token_create
from tests.matrix import LOGIN, ROLES, assert_api, assert_pages, expect

pytestmark = pytest.mark.django_db


PAGES = [
    # (label, url, expected per role)
    ("cluster home", "/c/paris/", expect(default=200)),
    ("directory", "/c/paris/directory/", expect(default=200)),
    ("map data", "/c/paris/directory/map.geojson", expect(default=200)),
    ("public profile", "/c/paris/organisations/{org_a}/", expect(default=200)),
    (
        "other cluster's firm via this cluster",
        "/c/paris/organisations/{org_lyon}/",
        expect(default=404),
    ),
    (
        "edit own firm",
        "/c/paris/organisations/{org_a}/update/",
        expect(default=404, anonymous=LOGIN, member_a=200, manager=200, observer=403),
    ),
    (
        "edit other cluster's firm",
        "/c/paris/organisations/{org_lyon}/update/",
        expect(default=404, anonymous=LOGIN, observer=403),
    ),
    (
        "needs and offers",
        "/c/paris/posts/",
        expect(default=200, anonymous=LOGIN, outsider=404, lyon_manager=404),
    ),
    ("join form", "/c/paris/join/", expect(default=200)),
    (
        "join request queue",
        "/c/paris/manage/join-requests/",
        expect(default=403, anonymous=LOGIN, outsider=404, lyon_manager=404, manager=200),
    ),
    (
        "memberships",
        "/c/paris/manage/memberships/",
        expect(default=403, anonymous=LOGIN, outsider=404, lyon_manager=404, manager=200),
    ),
    (
        "members export",
        "/c/paris/manage/memberships/export.csv",
        expect(default=403, anonymous=LOGIN, outsider=404, lyon_manager=404, manager=200),
    ),
    (
        "prospects",
        "/c/paris/manage/prospects/",
        expect(default=403, anonymous=LOGIN, outsider=404, lyon_manager=404, manager=200),
    ),
    (
        "settings",
        "/c/paris/manage/settings/",
        expect(default=403, anonymous=LOGIN, outsider=404, lyon_manager=404, manager=200),
    ),
    (
        "audit log",
        "/c/paris/manage/audit/",
        expect(default=403, anonymous=LOGIN, outsider=404, lyon_manager=404, manager=200),
    ),
    (
        "invitations",
        "/c/paris/invitations/",
        expect(default=404, anonymous=LOGIN, member_a=200, member_b=200, manager=200, observer=403),
    ),
    (
        "membership detail",
        "/c/paris/manage/memberships/{membership_a}/",
        expect(default=403, anonymous=LOGIN, outsider=404, lyon_manager=404, manager=200),
    ),
    (
        "lyon membership via paris",
        "/c/paris/manage/memberships/{membership_lyon}/",
        expect(default=403, anonymous=LOGIN, outsider=404, lyon_manager=404, manager=404),
    ),
]

API = [
    ("api directory", "GET", "/api/clusters/paris/organisations", expect(default=200)),
    ("api profile", "GET", "/api/clusters/paris/organisations/{org_a}", expect(default=200)),
    (
        "api other cluster's firm",
        "GET",
        "/api/clusters/paris/organisations/{org_lyon}",
        expect(default=404),
    ),
    (
        "api memberships",
        "GET",
        "/api/clusters/paris/memberships",
        expect(default=403, anonymous=404, outsider=404, lyon_manager=404, manager=200),
    ),
    (
        "api prospects",
        "GET",
        "/api/clusters/paris/prospects",
        expect(default=403, anonymous=404, outsider=404, lyon_manager=404, manager=200),
    ),
    (
        "api coverage",
        "GET",
        "/api/clusters/paris/coverage",
        expect(
            default=403, anonymous=404, outsider=404, lyon_manager=404, manager=200, observer=200
        ),
    ),
    ("api posts", "GET", "/api/clusters/paris/posts", expect(default=200)),
    (
        "api edit own firm",
        "PATCH",
        "/api/clusters/paris/organisations/{org_a}",
        expect(default=404, member_a=200, manager=200),
    ),
    (
        "api post a need",
        "POST",
        "/api/clusters/paris/posts",
        expect(
            default=403, anonymous=404, outsider=404, lyon_manager=404, member_a=201, member_b=404
        ),
    ),
]


def fill(url, world):
    return url.format(
        org_a=world.org_a.slug,
        org_lyon=world.org_lyon.slug,
        membership_a=world.org_a.memberships.get().pk,
        membership_lyon=world.org_lyon.memberships.get().pk,
    )


@pytest.mark.parametrize(("label", "url", "codes"), PAGES, ids=[p[0] for p in PAGES])
def test_pages(client, world, label, url, codes):
    assert_pages(client, world, fill(url, world), codes, label=label)


@pytest.mark.parametrize(("label", "method", "url", "codes"), API, ids=[a[0] for a in API])
def test_api(client, world, label, method, url, codes):
    url = fill(url, world)
    bodies = {
        "PATCH": {"description": "Mise à jour par l'API"},
        "POST": {
            "organisation": world.org_a.slug,
            "kind": "need",
            "title": "Local",
            "text": "Un local de stockage",
            "visibility": "cluster",
        },
    }
    assert_api(client, world, url, codes, label=label, method=method, body=bodies.get(method))


def test_post_visibility_by_role(client, world):
    seen = {}
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(getattr(world, role))
        body = client.get(f"/c/paris/organisations/{world.org_a.slug}/").content.decode()
        seen[role] = {
            t for t in ("Besoin public", "Besoin entre membres", "Besoin confidentiel") if t in body
        }
    assert seen["anonymous"] == seen["outsider"] == seen["lyon_manager"] == {"Besoin public"}
    assert seen["observer"] == {"Besoin public"}
    assert seen["member_b"] == {"Besoin public", "Besoin entre membres"}
    assert (
        seen["member_a"]
        == seen["manager"]
        == {"Besoin public", "Besoin entre membres", "Besoin confidentiel"}
    )


def test_fee_and_hidden_people_are_private(client, world):
    from grappe.members.models import Person

    Person.objects.filter(user=world.member_a).update(visibility="hidden", first_name="Secrète")
    for role, sees in [
        ("anonymous", False),
        ("member_b", False),
        ("observer", False),
        ("member_a", True),
        ("manager", True),
    ]:
        client.logout()
        if role != "anonymous":
            client.force_login(getattr(world, role))
        body = client.get(f"/c/paris/organisations/{world.org_a.slug}/").content.decode()
        assert ("Cotisation" in body) is sees, role
        assert ("Secrète" in body) is sees, role


def test_api_with_a_bad_token_is_refused(client, world):
    response = client.get(
        "/api/clusters/paris/organisations", headers={"Authorization": "Bearer nope"}
    )
    assert response.status_code == 401
    assert response.json()["detail"]


def test_api_posts_scope(client, world):
    _t, key = api_token_create(user=world.member_b, name="t")
    titles = {
        p["title"]
        for p in client.get(
            "/api/clusters/paris/posts", headers={"Authorization": f"Bearer {key}"}
        ).json()["items"]
    }
    assert titles == {"Besoin public", "Besoin entre membres"}


def test_api_patch_changes_only_own_firm(client, world):
    _t, key = api_token_create(user=world.member_b, name="t")
    response = client.patch(
        f"/api/clusters/paris/organisations/{world.org_a.slug}",
        data={"description": "piraté"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 404
    world.org_a.refresh_from_db()
    assert world.org_a.description != "piraté"

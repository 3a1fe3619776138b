"""The access matrix every app's tests walk: each role of the ``world`` fixture asks the same
page or API endpoint, and gets the status the row expects."""

from __future__ import annotations

import json

from grappe.core.services import api_token_create

ROLES = ["anonymous", "outsider", "member_a", "member_b", "observer", "manager", "lyon_manager"]
LOGIN = 302  # a page sends an anonymous visitor to the login form


def expect(*, roles=ROLES, **codes) -> list[int]:
    """Expected status per role, in ``roles`` order; unspecified roles get ``default``."""
    default = codes.pop("default")
    return [codes.get(role, default) for role in roles]


def assert_pages(client, world, url: str, codes, *, label: str = "", roles=ROLES) -> None:
    """GET ``url`` logged in as each role; the anonymous visitor's redirect goes to the login
    form (a signed-in role's 302 may go elsewhere: a home page sends on to the right one)."""
    for role, code in zip(roles, codes, strict=True):
        client.logout()
        if role != "anonymous":
            client.force_login(getattr(world, role))
        response = client.get(url)
        assert response.status_code == code, f"{label or url}: {role} got {response.status_code}"
        if code == LOGIN and role == "anonymous":
            assert response["Location"].startswith("/accounts/login/")


def api_call(client, world, role: str, method: str, url: str, body=None):
    """``method url`` with a fresh API token of ``role`` (none for anonymous)."""
    headers = {}
    if role != "anonymous":
        _token, key = api_token_create(user=getattr(world, role), name="test")
        headers["Authorization"] = f"Bearer {key}"
    return client.generic(
        method, url, data=json.dumps(body or {}), content_type="application/json", headers=headers
    )


def assert_api(client, world, url: str, codes, *, label: str = "", method="GET", body=None):
    """Each role's token on the endpoint; every refusal carries a message."""
    for role, code in zip(ROLES, codes, strict=True):
        response = api_call(client, world, role, method, url, body)
        assert response.status_code == code, f"{label or url}: {role} got {response.status_code}"
        if code >= 400:
            assert response.json()["detail"], f"{label or url}: {role} got no message"

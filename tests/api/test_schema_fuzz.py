"""The OpenAPI schema fuzzed in-process by schemathesis, with a bounded number of examples:
no generated request gets a server error, and every 4xx carries a message."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from grappe.core.services import api_token_create
from grappe.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
MAX_EXAMPLES = int(os.environ.get("GRAPPE_FUZZ_EXAMPLES", "25"))


def four_xx_has_a_message(response, case):
    if 400 <= response.status_code < 500:
        assert "json" in str(response.headers.get("content-type", "")), (
            f"{case.operation.label}: {response.status_code} {response.text[:300]!r}"
        )
        body = response.json()
        assert isinstance(body, dict) and body.get("detail"), (
            f"{case.operation.label}: {response.status_code} without a message: "
            f"{response.text[:200]}"
        )


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI app is called directly, not through Django's test client: keep Django from
    closing the test transaction's connection at the end of each request (as the client does)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(world):
    return {
        role: api_token_create(user=getattr(world, role), name="fuzz")[1]
        for role in ("manager", "member_a")
    }


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.parametrize("role", ["manager", "member_a"])
def test_api_never_fails_and_explains_refusals(case, world, tokens, role):
    # Aim most requests at real rows, so that the fuzzing reaches past the 404s.
    if case.path_parameters:
        if "slug" in case.path_parameters:
            case.path_parameters["slug"] = "paris"
        if "org_slug" in case.path_parameters:
            case.path_parameters["org_slug"] = world.org_a.slug
    response = case.call(headers={"Authorization": f"Bearer {tokens[role]}"})
    assert response.status_code < 500, f"{case.operation.label}: {response.status_code}"
    four_xx_has_a_message(response, case)

"""Shared fixtures. Database tests are marked `database` so that CI can run them
again on PostgreSQL (`pytest -m database`)."""

from __future__ import annotations

import pytest
from hypothesis import settings as hypothesis_settings

hypothesis_settings.register_profile("default", max_examples=100, deadline=None)
hypothesis_settings.register_profile("ci", max_examples=60, deadline=None)
hypothesis_settings.load_profile("default")


def pytest_collection_modifyitems(config, items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("django_db") or fixtures & {
            "db",
            "transactional_db",
            "live_server",
            "django_db_setup",
        }:
            item.add_marker(pytest.mark.database)


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PRIVATE_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": True}
    # Cached values are keyed by primary keys, which the next test's rows reuse.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def communes(db):
    from grappe.territory.services import reference_load_bundled

    reference_load_bundled()


@pytest.fixture
def world(communes):
    """Two clusters with members, people and roles: the usual cast of the access tests."""
    from tests.factories import build_world

    return build_world()

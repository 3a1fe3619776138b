"""Settings of the test run: the production settings, with a test secret key.

DEBUG stays off, as in production; DATABASE_URL still chooses SQLite or PostgreSQL.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-for-the-grappe-test-suite-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ["DEBUG"] = "false"

from grappe.settings import *  # noqa: F403

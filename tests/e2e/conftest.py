"""Browser tests: Playwright (sync API) driving the system's Chromium against the live server.

No browser is ever downloaded: the tests use ``$GRAPPE_CHROMIUM`` if set, else Debian's
``/usr/bin/chromium``, else a ``chromium`` on the PATH. Without one the tests are
skipped, unless ``GRAPPE_REQUIRE_BROWSER=1`` (set by CI), in which case they fail.

Every page runs offline: a request to any host other than the live server is aborted and
fails the test, as do an uncaught JavaScript error, a console error and a failed script,
style, image or htmx request. Screenshots land in ``test-artifacts/e2e/`` (gitignored)
for a person to look at.

Run: ``pytest tests/e2e`` (``-m e2e`` selects them, ``-m "not e2e"`` leaves them out).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=fr-FR",  # the browser's own widgets (file picker, validation bubbles) in French
]
PASSWORD = "pw-Secret-123"  # the factories' password for every UserFactory account


def _chromium_path() -> str | None:
    for candidate in (os.environ.get("GRAPPE_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _no_browser(reason: str):
    if os.environ.get("GRAPPE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (GRAPPE_REQUIRE_BROWSER=1 demands a browser)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the e2e package.

    Package scope rather than session scope on purpose: Playwright's sync API keeps an
    asyncio loop *running* in the main thread for as long as it lives. Torn down after
    the last e2e test, that loop cannot leak into the tests collected after ``tests/e2e``
    (``asyncio.run`` or asgiref's ``async_to_sync`` refuse to run beside a running loop).

    While the loop runs, Django sees it and refuses ORM calls from the test thread with
    ``SynchronousOnlyOperation`` (it cannot tell Playwright's loop from an async view).
    The tests are plain synchronous code, and the live server answers in its own thread,
    so ``DJANGO_ALLOW_ASYNC_UNSAFE`` switches that guard off, for these tests only.
    """
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("the playwright Python package is not installed")
    executable = _chromium_path()
    if executable is None:
        _no_browser("no Chromium found (/usr/bin/chromium or `chromium` on the PATH)")

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        try:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            _no_browser(f"Chromium at {executable} does not start: {exc.message.splitlines()[0]}")
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(browser, live_server, settings):
    """``open_page()`` opens a browser tab for one more person: its own cookies, French.

    Each tab stays offline (a request to any other host than the live server is aborted
    and fails the test) and error-free (an uncaught exception, a console error or a
    failed script, style, image or htmx request fails the test; a whole page may answer
    an error on purpose, the test checks that itself).

    E-mails carry absolute links built from ``BASE_URL``: it points at the live server
    so that a test can follow them. The cache (rate limits of the public forms and of
    logins) starts empty.
    """
    from django.core.cache import cache
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    settings.BASE_URL = live_server.url
    cache.clear()
    origin = urlsplit(live_server.url).netloc
    contexts = []
    outside: list[str] = []
    errors: list[str] = []

    def stay_offline(route):
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).netloc == origin:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    def record_console(msg):
        # A failed load is judged by record_response: a page may answer 400 on purpose.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(f"console.error: {msg.text} ({msg.location.get('url')})")

    def record_response(response):
        if response.status >= 400 and response.request.resource_type != "document":
            errors.append(f"{response.status} on {response.request.resource_type} {response.url}")

    def open_tab():
        context = browser.new_context(
            base_url=live_server.url,
            locale="fr-FR",
            timezone_id="Europe/Paris",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(10_000)
        context.route(re.compile(r".*"), stay_offline)
        contexts.append(context)
        tab = context.new_page()
        tab.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
        tab.on("console", record_console)
        tab.on("response", record_response)
        return tab

    yield open_tab
    for context in contexts:
        context.close()
    assert not outside, f"the page reached outside the server: {outside}"
    assert not errors, f"errors in the browser: {errors}"


@pytest.fixture
def page(open_page):
    """The first person's tab."""
    return open_page()


@pytest.fixture
def screenshot(page):
    """``screenshot("name")`` (or ``screenshot("name", other_tab)``) saves the whole page
    to test-artifacts/e2e/name.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name: str, tab=None) -> Path:
        path = ARTIFACTS / f"{name}.png"
        (tab or page).screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(page):
    """``login(user)`` (or ``login(user, tab=other_tab)``) signs in through the real login
    form and waits to be let in."""
    from playwright.sync_api import expect

    def sign_in(user, *, tab=None, password: str = PASSWORD, next_url: str = "/") -> None:
        tab = tab or page
        tab.goto(f"/accounts/login/?next={next_url}")
        tab.get_by_label("Adresse e-mail").fill(user.email)
        tab.get_by_label("Mot de passe", exact=True).fill(password)
        tab.get_by_role("button", name="Se connecter").click()
        expect(tab.locator(".user-nav summary")).to_have_text(user.get_short_name())

    return sign_in

"""Browser tests: Playwright (sync API) driving the system's Chromium against the live server.

No browser is ever downloaded: the tests use Debian's ``/usr/bin/chromium`` (or whatever
``chromium`` is on the PATH). Without one the tests are skipped, unless
``GRAPPE_REQUIRE_BROWSER=1`` (set by CI), in which case they fail.

Every page runs offline: a request to any host other than the live server is aborted and
fails the test, as does an uncaught JavaScript error. Screenshots land in
``test-artifacts/e2e/`` (gitignored) for a person to look at.
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
def page(browser, live_server, settings):
    """A fresh French-speaking browser tab on the live server; offline and error-free.

    E-mails carry absolute links built from ``BASE_URL``: it points at the live server so
    that a test can follow them.
    """
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    settings.BASE_URL = live_server.url
    origin = urlsplit(live_server.url).netloc
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    outside: list[str] = []
    errors: list[str] = []

    def stay_offline(route):
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).netloc == origin:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route(re.compile(r".*"), stay_offline)
    tab = context.new_page()
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on(
        "console",
        lambda msg: (
            errors.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None
        ),
    )
    yield tab
    context.close()
    assert not outside, f"the page reached outside the server: {outside}"
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def screenshot(page):
    """``screenshot("name")`` saves the whole page to test-artifacts/e2e/name.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(page):
    """``login(user)`` signs in through the real login form and waits to be let in."""
    from playwright.sync_api import expect

    def sign_in(user, password: str = PASSWORD, next_url: str = "/") -> None:
        page.goto(f"/accounts/login/?next={next_url}")
        page.get_by_label("Adresse e-mail").fill(user.email)
        page.get_by_label("Mot de passe", exact=True).fill(password)
        page.get_by_role("button", name="Se connecter").click()
        expect(page.locator(".user-nav summary")).to_have_text(user.get_short_name())

    return sign_in

"""Browser fixtures: Debian's chromium driven by Playwright against pytest-django's live server.

Every test gets a fresh browser context (en-GB, Europe/London). Console errors and
warnings and uncaught page errors fail the test at teardown: a Content Security Policy
violation, a broken script or a failed htmx request all show up there.
"""

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect, sync_playwright

from tests.conftest import PASSWORD

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--lang=en-GB",
]

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1024, "height": 1366}

# axe impacts that fail a test; "minor" and "moderate" ones are left to review.
BLOCKING_IMPACTS = {"serious", "critical"}

expect.set_options(timeout=5_000)


@pytest.fixture(scope="session")
def playwright():
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def console_problems():
    """Console errors and warnings and page errors seen during the test, as readable lines."""
    return []


def watch_for_problems(page: Page, problems: list):
    def on_console(message):
        if message.type in ("error", "warning"):
            problems.append(f"console {message.type} on {page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error on {page.url}: {error}"))


@pytest.fixture
def context(browser, console_problems):
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London", viewport=TABLET)
    # Every tab of the context is watched, including a second tab opened by a test.
    context.on("page", lambda page: watch_for_problems(page, console_problems))
    yield context
    context.close()


@pytest.fixture
def page(context, console_problems):
    page = context.new_page()
    yield page
    if console_problems:
        pytest.fail("The browser reported problems:\n" + "\n".join(console_problems), pytrace=False)


def sign_in(page: Page, live_server, trainer, password=PASSWORD):
    """Sign in through the real form; wherever she lands, she is signed in."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(trainer.email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def open_client_list(page: Page):
    """Go to her clients through the main navigation, as a trainer would."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your clients")


def screenshot(target: Page | Locator, name: str) -> Path:
    """Save a PNG to artifacts/screenshots/: the full page for a Page, the element for a Locator.

    caret="initial" and animations="allow" stop Playwright injecting a style that the CSP blocks."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    options = {"path": path, "caret": "initial", "animations": "allow"}
    if isinstance(target, Page):
        # From the top, so sticky bars and panels sit where a trainer first sees them.
        target.evaluate("window.scrollTo(0, 0)")
        target.screenshot(full_page=True, **options)
    else:
        target.screenshot(**options)
    return path


def assert_accessible(page: Page, context=None):
    """Fail on any axe violation of serious or critical impact on the page as it is now."""
    results = Axe().run(page, context=context)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"{len(blocking)} serious or critical accessibility violation(s) on {page.url}:"]
        for violation in blocking:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:3]:
                lines.append(f"    at {', '.join(str(t) for t in node['target'])}")
        pytest.fail("\n".join(lines), pytrace=False)


# --- Added for the programme and client-progress journeys ---------------------------------

def watched_context(browser, problems, **options):
    """A fresh context watched like `context`: en-GB, Europe/London, console problems recorded."""
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London", **options)
    context.on("page", lambda page: watch_for_problems(page, problems))
    return context


@pytest.fixture
def phone_page(browser, console_problems):
    """A signed-out phone (mobile viewport with touch), as a client opens her link."""
    context = watched_context(browser, console_problems, viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()
    if console_problems:
        pytest.fail("The browser reported problems:\n" + "\n".join(console_problems), pytrace=False)


def assign_programme(client, template_name="Walk–run to 30 minutes", start_date=None):
    """Give her her own copy of a built-in template, as the assign form does."""
    from django.utils import timezone

    from programmes.models import Plan, Programme

    template = Plan.objects.get(name=template_name, trainer__isnull=True)
    return Programme.objects.create(
        client=client, plan=template.copy(trainer=client.trainer, is_template=False),
        start_date=start_date or timezone.localdate(), assigned_by=client.trainer,
    )


@pytest.fixture
def builtin_templates(transactional_db):
    """The built-in walk–run templates. Their data migration ran once, but a live-server test
    flushes the database afterwards, so each test that needs them puts them back (idempotent)."""
    from importlib import import_module

    from django.apps import apps

    import_module("programmes.migrations.0002_builtin_templates").install(apps, None)

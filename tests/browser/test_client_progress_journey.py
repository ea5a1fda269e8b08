"""A client opens her private link on her phone, reads her verdict and downloads her report;
and the trainer's plan pages and home read well at tablet and phone widths."""

import re
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image, ImageStat
from playwright.sync_api import expect
from pypdf import PdfReader

from clients.models import ShareLink
from programmes.models import Plan, SessionLog
from tests.browser.conftest import (
    PHONE,
    SCREENSHOTS,
    TABLET,
    assert_accessible,
    assign_programme,
    screenshot,
    sign_in,
)
from tests.conftest import make_client
from tests.factories import make_assessment

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("builtin_templates")]

READY = "Ready for a graded return to running"


def words(text):
    """Text with its whitespace (and a PDF's line breaks) made single spaces."""
    return " ".join(text.split())


@pytest.fixture
def amira(owner):
    """Two assessments, not yet then ready with a weak left bridge, and a programme two sessions in."""
    today = timezone.localdate()
    client = make_client(owner, "Amira Haddad", weeks=16)
    earlier = make_assessment(client, days_after_birth=7 * 12, pelvic_floor_long_holds=4, pelvic_floor_fast_reps=7)
    latest = make_assessment(client, days_after_birth=7 * 16, strength_single_leg_bridge_left=14)
    assert (earlier.verdict, latest.verdict, latest.assessed_on) == ("not_yet", "ready", today)
    programme = assign_programme(client, start_date=today - timedelta(days=6))
    for number, day in [(1, 6), (2, 4)]:
        SessionLog.objects.create(programme=programme, week=1, session_number=number, outcome="completed", effort=5,
                                  done_on=today - timedelta(days=day), logged_by=owner)
    client.earlier, client.latest = earlier, latest
    return client


def test_client_opens_her_link_on_a_phone_reads_her_verdict_and_downloads_the_pdf(phone_page, live_server, owner,
                                                                                amira, tmp_path, console_problems):
    page = phone_page
    link, token = ShareLink.issue(amira, owner)
    latest_date = f"{amira.latest.assessed_on:%-d %b %Y}"
    response = page.goto(f"{live_server.url}/p/{token}/")
    assert response.status == 200
    assert response.headers["cache-control"] == "private, no-store"

    # Not signed in: her page, with her trainer's business and no trainer navigation.
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello Amira")
    expect(page.locator(".site-header")).to_contain_text("Owner Fitness")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)

    # Her verdict, in plain words, and what to do next.
    verdict = page.get_by_role("region", name=READY)
    expect(verdict).to_contain_text(f"Your check-up on {latest_date}")
    expect(verdict.get_by_role("heading", level=2)).to_have_text(READY)
    expect(verdict).to_contain_text("Not straight to continuous running.")
    next_steps = page.get_by_role("region", name="What to do next")
    expect(next_steps.locator("li")).to_have_text(["Follow your walk–run programme. If any symptom comes on while "
                                                   "running, stop and walk the rest, and tell your trainer."])

    # Strength to build alongside running, with an exercise to try.
    focus = page.get_by_role("region", name="Strength to work on").locator(".focus-list li")
    expect(focus).to_have_count(1)
    expect(focus).to_contain_text("Single leg bridge (left 14 of 20)")
    expect(focus).to_contain_text(re.compile(r"Try: \S"))

    # Her programme and her next session.
    programme = page.get_by_role("region", name="Your walk–run programme")
    expect(programme).to_contain_text("Walk–run to 30 minutes")
    expect(programme).to_contain_text("You are in week 1 of 9")
    expect(programme).to_contain_text("2 sessions logged so far, all without symptoms.")
    expect(programme.get_by_role("heading", level=3)).to_have_text(
        re.compile(rf"^Your next session: week 1, session 3, {timezone.localdate():%A %-d %b}$"))
    expect(programme.locator(".session-plan li")).to_have_text(
        ["Warm-up walk 5 min", "8 × (run 1 min, walk 1 min 30 s)", "Cool-down walk 5 min"])

    # Charts: each is an image with a title and a description, and its numbers one tap away.
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 5, f"only {charts.count()} charts"
    for index in range(charts.count()):
        chart = charts.nth(index)
        title, desc = chart.locator("title"), chart.locator("desc")
        expect(title).to_have_text(re.compile(r"\S"))
        expect(desc).to_have_text(re.compile(r"\S"))
        labelled_by = chart.get_attribute("aria-labelledby").split()
        assert labelled_by == [title.get_attribute("id"), desc.get_attribute("id")], f"chart {index} is not labelled"
    expect(page.get_by_role("img", name=re.compile(r"^Running minutes each week"))).to_have_count(1)
    first_figure = page.locator("figure.chart").first
    numbers = first_figure.locator("table.chart-numbers")
    expect(numbers).to_be_hidden()
    first_figure.get_by_text("Show the numbers").click()
    expect(numbers).to_be_visible()
    expect(numbers.locator("tbody tr")).to_have_count(2)
    expect(numbers.locator("tbody th")).to_have_text([f"{amira.earlier.assessed_on:%-d %b}",
                                                      f"{amira.latest.assessed_on:%-d %b}"])

    # Her trends over time: each strength test per leg, in a plain sentence beside its chart.
    trends = page.get_by_role("region", name="How you are getting on")
    expect(trends).to_contain_text(f"Left leg: from 20 reps on {amira.earlier.assessed_on:%-d %b %Y} to 14 reps on "
                                   f"{latest_date}.")
    expect(trends.get_by_role("img", name=re.compile(r"^Single leg bridge"))).to_have_count(1)

    assert_accessible(page)
    screenshot(page, "progress-390.png")
    page.set_viewport_size(TABLET)
    assert_accessible(page)
    screenshot(page, "progress-1024.png")
    page.set_viewport_size(PHONE)

    # Her latest report downloads as a PDF that says the same as the page.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your report (PDF)").click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == f"restride-report-{amira.latest.assessed_on:%Y-%m-%d}.pdf"
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = words(" ".join(page_.extract_text() for page_ in PdfReader(pdf).pages))
    assert READY in text
    assert latest_date in text
    assert "Amira Haddad" in text

    # Page 1 renders to a picture that is not blank.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    prefix = SCREENSHOTS / "report-page1"
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(prefix)],
                   check=True, timeout=60)
    with Image.open(f"{prefix}.png") as image:
        grey = image.convert("L")
        dark_pixels = sum(grey.histogram()[:128])
        assert grey.width > 300 and grey.height > 400, grey.size
        assert ImageStat.Stat(grey).stddev[0] > 10, "page 1 of the report is blank"
        assert dark_pixels > 0.005 * grey.width * grey.height, "page 1 of the report has hardly any ink"

    # Once her trainer revokes the link, it stops working.
    link.revoke()
    response = page.reload()
    assert response.status == 404
    # Chromium logs every 404 document as a console error: that one is expected here, nothing else.
    expected_404 = (f"console error on {page.url}: "
                    "Failed to load resource: the server responded with a status of 404 (Not Found)")
    assert expected_404 in console_problems
    console_problems.remove(expected_404)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    expect(page.get_by_text("Amira Haddad")).to_have_count(0)
    assert_accessible(page)


@pytest.fixture
def a_paused_client(owner):
    """Something for the home page to show: a programme paused by a red flag."""
    client = make_client(owner, "Beth Okafor", weeks=20)
    make_assessment(client)
    programme = assign_programme(client, start_date=timezone.localdate() - timedelta(days=2))
    SessionLog.objects.create(programme=programme, week=1, session_number=1, outcome="partial",
                              symptoms=["heaviness_dragging"], done_on=timezone.localdate(), logged_by=owner)
    return client


@pytest.mark.parametrize("viewport", [pytest.param(TABLET, id="tablet-1024"), pytest.param(PHONE, id="phone-390")])
def test_the_plan_pages_and_the_trainer_home_have_no_serious_accessibility_violations(page, live_server, owner,
                                                                                      a_paused_client, viewport):
    width = viewport["width"]
    page.set_viewport_size(viewport)
    sign_in(page, live_server, owner)

    # Home, with a paused programme needing her attention.
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, Olivia")
    expect(page.locator(".attention--paused")).to_contain_text("Beth Okafor")
    assert_accessible(page)
    screenshot(page, f"home-{width}.png")

    # The template list, through the main navigation.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programmes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Walk–run programmes")
    rows = page.locator(".plan-table tbody th")
    expect(rows).to_have_text([re.compile(r"^Walk–run foundations\s+Built-in$"),
                               re.compile(r"^Walk–run to 30 minutes\s+Built-in$")])
    assert_accessible(page)
    screenshot(page, f"plans-list-{width}.png")

    # A built-in template: read-only, nine weeks.
    page.get_by_role("link", name="Walk–run to 30 minutes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Walk–run to 30 minutes\s+Built-in$"))
    expect(page.locator(".lede")).to_contain_text("9 weeks · 27 sessions")
    expect(page.locator(".plan-week")).to_have_count(9)
    expect(page.get_by_role("link", name=re.compile(r"^Edit"))).to_have_count(0)
    assert_accessible(page)
    screenshot(page, f"plan-detail-{width}.png")

    # Her own copy is editable; the session edit page on its own.
    page.get_by_role("button", name="Duplicate to edit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Walk–run to 30 minutes (copy)")
    copy = Plan.objects.get(trainer=owner, is_template=True)
    first_session = copy.sessions.get(week=1, number=1)
    edit = page.get_by_role("link", name="Edit week 1, session 1", exact=True)
    expect(edit).to_have_attribute("href", f"/plans/sessions/{first_session.pk}/edit/")
    page.goto(f"{live_server.url}/plans/sessions/{first_session.pk}/edit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit week 1, session 1")
    expect(page.get_by_role("group", name="Interval 1")).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"plan-session-edit-{width}.png")

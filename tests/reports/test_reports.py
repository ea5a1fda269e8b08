import base64
import io
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import StudioLogo
from clients.models import ShareLink, hash_token
from reports import pdf as report_pdf
from reports.views import BAD_TOKEN_LIMIT
from tests.conftest import make_client, make_trainer, visible_text
from tests.factories import make_assessment

# Dates from today, read again by the app: one day however long the run (tests/conftest.py midday).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


@pytest.fixture
def shared(client_record):
    make_assessment(client_record, days_after_birth=7 * 10, pelvic_floor_fast_reps=6)
    latest = make_assessment(client_record, strength_single_leg_bridge_left=14, holistic_sleep=True)
    link, token = ShareLink.issue(client_record, client_record.trainer)
    return {"client": client_record, "assessment": latest, "link": link, "token": token}


def progress_url(token):
    return reverse("reports:progress", args=[token])


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# The private link

def test_a_link_carries_256_bits_and_only_its_hash_is_stored(client_record, owner):
    link, token = ShareLink.issue(client_record, owner)
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    assert link.token_hash == hash_token(token) and token not in link.token_hash


def test_making_a_new_link_revokes_the_old_one(shared, owner_http):
    old = shared["token"]
    response = owner_http.post(reverse("clients:link_create", args=[shared["client"].pk]))
    new = re.search(r'/p/([\w-]+)/', response.content.decode()).group(1)
    assert new != old
    assert owner_http.get(progress_url(old)).status_code == 404
    assert owner_http.get(progress_url(new)).status_code == 200


def test_the_trainer_can_email_the_link(shared, owner_http):
    shared["client"].email = "amira@example.com"
    shared["client"].save()
    owner_http.post(reverse("clients:link_email", args=[shared["client"].pk]), {"token": shared["token"]})
    assert mail.outbox[0].to == ["amira@example.com"]
    assert progress_url(shared["token"]) in mail.outbox[0].body


def test_emailing_refuses_a_token_of_another_client(shared, owner_http, owner):
    other = make_client(owner, "Other Client", email="other@example.com")
    response = owner_http.post(reverse("clients:link_email", args=[other.pk]), {"token": shared["token"]}, follow=True)
    assert response.redirect_chain == [(other.get_absolute_url(), 302)]
    assert "That link is no longer valid: make a new one to email." in visible_text(response)
    assert not mail.outbox


@pytest.mark.parametrize("name", ["clients:link_create", "clients:link_email", "clients:link_revoke"])
def test_link_management_is_scoped_to_the_owner(shared, anon_http, stranger_http, name):
    url = reverse(name, args=[shared["client"].pk])
    assert anon_http.post(url, {"token": shared["token"]}).status_code == 302
    assert stranger_http.post(url, {"token": shared["token"]}).status_code == 404
    assert ShareLink.objects.usable().count() == 1 and not mail.outbox


def test_revoked_expired_and_unknown_links_get_the_same_404(shared, anon_http, owner_http):
    unknown = anon_http.get(progress_url("x" * 43))
    owner_http.post(reverse("clients:link_revoke", args=[shared["client"].pk]))
    revoked = anon_http.get(progress_url(shared["token"]))
    _, token = ShareLink.issue(shared["client"], shared["client"].trainer, expires_on=timezone.localdate() + timedelta(days=1))
    ShareLink.objects.filter(token_hash=hash_token(token)).update(expires_on=timezone.localdate() - timedelta(days=1))
    expired = anon_http.get(progress_url(token))
    assert unknown.status_code == revoked.status_code == expired.status_code == 404
    strip = lambda r: re.sub(r"nonce-[^'\"]+|nonce=\"[^\"]+\"", "", r.content.decode())  # noqa: E731
    assert strip(unknown) == strip(revoked) == strip(expired)


def test_a_link_expiry_must_be_in_the_future(shared, owner_http):
    response = owner_http.post(reverse("clients:link_create", args=[shared["client"].pk]),
                               {"expires_on": timezone.localdate().isoformat()})
    assert response.status_code == 302 and response["Location"] == f"{shared['client'].get_absolute_url()}#private-link"
    assert "Choose a date after today." in visible_text(owner_http.get(response["Location"]))
    assert ShareLink.objects.usable().get() == shared["link"]


def test_her_page_is_private(shared, anon_http):
    response = anon_http.get(progress_url(shared["token"]))
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "private, no-store"
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()
    assert "csrftoken" not in response.cookies


def test_many_bad_tokens_from_one_address_are_throttled(shared, anon_http):
    for _ in range(BAD_TOKEN_LIMIT):
        assert anon_http.get(progress_url("wrong-token")).status_code == 404
    assert anon_http.get(progress_url("wrong-again")).status_code == 429


def test_the_throttle_counts_the_address_from_a_trusted_proxy_header(shared, anon_http, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(BAD_TOKEN_LIMIT):
        anon_http.get(progress_url("wrong-token"), headers={"X-Forwarded-For": "203.0.113.9"})
    assert anon_http.get(progress_url("wrong"), headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 429
    assert anon_http.get(progress_url("wrong"), headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 404


# What she sees

def test_her_page_speaks_to_her_and_hides_trainer_notes(shared, anon_http):
    client = shared["client"]
    client.notes = "PRIVATE trainer note"
    client.save()
    shared["assessment"].notes = "PRIVATE assessment note"
    shared["assessment"].save()
    page = anon_http.get(progress_url(shared["token"])).content.decode()
    assert "Ready for a graded return to running" in page
    assert "Single leg bridge" in page and "left 14 of 20" in page and "Try:" in page
    assert "What to do next" in page and "Where to get help" in page
    assert "PRIVATE" not in page
    for chart in ["pelvic-long_holds", "load-impact", "strength-single_leg_bridge"]:
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in page
    assert "Show the numbers" in page


def test_her_page_shows_her_programme(shared, anon_http, owner):
    from programmes.models import Plan, Programme

    plan = Plan.objects.get(name="Walk–run to 30 minutes").copy(trainer=owner, is_template=False)
    Programme.objects.create(client=shared["client"], plan=plan, start_date=timezone.localdate(), assigned_by=owner)
    page = anon_http.get(progress_url(shared["token"])).content.decode()
    assert "week 1 of 9" in page and "Your next session" in page and "Running minutes each week" in page


def test_her_programme_is_read_without_her_row_again_unless_under_its_lock(shared, anon_http, owner):
    """Her page reads her programme with her row as her link read it; her log's post reads it again
    with the programme, locked (programmes/models/programme.py current_programme_of)."""
    from programmes.models import Plan, Programme

    plan = Plan.objects.get(name="Walk–run to 30 minutes").copy(trainer=owner, is_template=False)
    Programme.objects.create(client=shared["client"], plan=plan, start_date=timezone.localdate() - timedelta(days=1),
                             assigned_by=owner)

    def programme_reads(method, path, data=None):
        with CaptureQueriesContext(connection) as queries:
            getattr(anon_http, method)(path, data or {})
        # The ORM's read, or the written-out one (programmes/models/programme.py current_programme_for_card)
        return [query["sql"] for query in queries
                if query["sql"].startswith('SELECT "programmes_programme"') or 'FROM "programmes_programme" p ' in query["sql"]]

    [read] = programme_reads("get", progress_url(shared["token"]))
    assert '"clients_client"' not in read and '"accounts_trainer"' not in read
    log_url = reverse("reports:log", args=[shared["token"]])
    page = anon_http.get(log_url).content.decode()
    sequence = re.search(r'name="sequence" value="(\d+)"', page).group(1)
    [locked] = programme_reads("post", log_url, {"sequence": sequence, "done_on": timezone.localdate().isoformat(),
                                                  "outcome": "completed", "any_symptoms": "no", "effort": "4"})
    assert '"clients_client"' in locked


@pytest.mark.parametrize("assessments", [1, 12])
def test_her_page_query_count_is_constant(client_record, anon_http, assessments, django_assert_max_num_queries):
    for index in range(assessments):
        make_assessment(client_record, days_after_birth=80 + index)
    _, token = ShareLink.issue(client_record, client_record.trainer)
    for _ in range(2):  # drawn each time: never kept in the cache, which would hold her link
        with django_assert_max_num_queries(6):
            assert anon_http.get(progress_url(token)).status_code == 200


# The PDF report

def test_her_report_downloads_from_her_link(shared, anon_http):
    response = anon_http.get(reverse("reports:progress_pdf", args=[shared["token"], shared["assessment"].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content)
    assessment = shared["assessment"]
    for expected in ["Ready for a graded return to running", assessment.assessed_on.strftime("%-d %b %Y"),
                     "Symptoms now", "Pelvic floor and core", "Load and impact", "Strength", "Wellbeing",
                     "Single leg bridge", "14 of 20", "not a diagnosis", "Goom", "Page 1 of", shared["client"].full_name]:
        assert expected in text, expected


def test_the_report_is_tagged_pdf_ua_with_title_language_and_embedded_fonts(shared, owner_http):
    content = owner_http.get(reverse("reports:trainer_pdf", args=[shared["assessment"].pk])).content
    reader = PdfReader(io.BytesIO(content))
    assert reader.metadata.title.startswith("Return-to-running report")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB" and "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert b'pdfuaid:part="1"' in root["/Metadata"].get_object().get_data()
    fonts = [font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    assert fonts and all("/FontFile2" in f["/DescendantFonts"][0].get_object()["/FontDescriptor"] for f in fonts)


# Issue 22 (9): her report in two pages, tables a checker can read ---------------------------------

def report_pdf_bytes(http, assessment):
    return http.get(reverse("reports:trainer_pdf", args=[assessment.pk])).content


def test_a_typical_report_is_two_pages_page_one_to_act_on_page_two_the_record(owner, owner_http, client_record):
    from programmes.models import Programme
    from tests.conftest import next_log_day, walk_run_30

    assessment = make_assessment(client_record, strength_single_leg_bridge_left=14, holistic_sleep=True)
    programme = Programme.assign(client=client_record, template=walk_run_30(), by=owner,
                                 start_date=timezone.localdate() - timedelta(days=6))
    for _ in range(3):
        programme = Programme.objects.filter(pk=programme.pk).with_progress().get()
        programme.log_session(by=owner, sequence=programme.next_sequence, done_on=next_log_day(programme), outcome="completed")
    reader = PdfReader(io.BytesIO(report_pdf_bytes(owner_http, assessment)))
    assert len(reader.pages) == 2
    first, second = (page.extract_text() for page in reader.pages)
    for expected in ("Ready for a graded return to running", "What to do next", "Your walk–run programme",
                     "Your next session: week 2, session 1", "Strength to work on", "Where to get help"):
        assert expected in first, expected
    for expected in ("Your results on", "Pelvic floor and core", "Load and impact", "Strength", "Symptoms now.",
                     "Things to keep in mind"):
        assert expected in second, expected
    # Only columns that say something: no Target column of dashes; the yes/no sections in a sentence.
    assert "18 questions asked, no symptom present." in second and "Sleep or rest: a concern" in second
    assert "Rule " not in first + second


def test_the_help_lists_second_column_starts_where_balancing_would_start_it(shared, monkeypatch):
    """report.css starts the second column of "Where to get help" at its fourth route, a forced break,
    because WeasyPrint's balancing costs a third of a drawing. Drawn with balanced columns instead
    (and the list's bottom margin back), the report is the same byte for byte; a route added,
    removed or reworded that moves the balance fails here, to move the break."""
    from pathlib import Path

    from django.contrib.staticfiles import finders
    from weasyprint import CSS

    assessment = shared["assessment"]
    html = report_pdf.report_html(assessment, assessment.pk, timezone.localdate(), "")
    forced = report_pdf.html_to_pdf(html)
    balanced = Path(finders.find("css/report.css")).read_text() + (
        ".help-list ul { column-fill: balance; margin-bottom: 1.5mm; } .help-list li { break-before: auto !important; }")
    monkeypatch.setattr(report_pdf, "_stylesheet", lambda: CSS(
        string=balanced, base_url=report_pdf.STATIC_BASE, url_fetcher=report_pdf._fetcher(), font_config=report_pdf._font_config()))
    assert "Where to get help" in pdf_text(forced)
    assert report_pdf.html_to_pdf(html) == forced


def test_every_report_passes_the_pdf_ua_checker_with_no_finding(owner, owner_http, tmp_path):
    """Header cells are tied to their data cells and every table has rows (pdfua UA-15-003), for a
    report with one check-up and for one with trends (charts with their numbers)."""
    from pdfua import validate

    client = make_client(owner, weeks=30)
    first = make_assessment(client, days_after_birth=7 * 14, strength_calf_raise_left=8)
    later = make_assessment(client, days_after_birth=7 * 22, strength_calf_raise_left=15, symptoms_urgency=True)
    for assessment in (first, later):
        path = tmp_path / f"report-{assessment.pk}.pdf"
        path.write_bytes(report_pdf_bytes(owner_http, assessment))
        report = validate(str(path))
        assert not report.findings, [(f.rule_id, f.message) for f in report.findings]


def test_page_one_of_the_report_is_not_blank(shared, owner_http, tmp_path):
    import subprocess

    from PIL import Image

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(owner_http.get(reverse("reports:trainer_pdf", args=[shared["assessment"].pk])).content)
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "page")], check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    dark = sum(image.histogram()[:200])
    assert dark > image.width * image.height * 0.01


@pytest.mark.parametrize("via", ["token", "trainer"])
def test_reports_of_other_clients_are_never_reachable(shared, owner, stranger, stranger_http, anon_http, via):
    mine_other = make_assessment(make_client(owner, "Second Client"))
    theirs = make_assessment(make_client(stranger, "Their Client"))
    if via == "token":
        for assessment in (mine_other, theirs):
            assert anon_http.get(reverse("reports:progress_pdf", args=[shared["token"], assessment.pk])).status_code == 404
    else:
        assert stranger_http.get(reverse("reports:trainer_pdf", args=[shared["assessment"].pk])).status_code == 404
        assert anon_http.get(reverse("reports:trainer_pdf", args=[shared["assessment"].pk])).status_code == 302


def test_a_revoked_link_cannot_download_a_report(shared, anon_http):
    shared["link"].revoke()
    assert anon_http.get(reverse("reports:progress_pdf", args=[shared["token"], shared["assessment"].pk])).status_code == 404


def test_an_unchanged_report_is_served_from_the_store_and_an_edit_invalidates_it(shared, owner_http, monkeypatch):
    url = reverse("reports:trainer_pdf", args=[shared["assessment"].pk])
    drawn = []
    real = report_pdf.html_to_pdf
    monkeypatch.setattr(report_pdf, "html_to_pdf", lambda html: drawn.append(1) or real(html))
    first = owner_http.get(url)
    again = owner_http.get(url)
    not_modified = owner_http.get(url, headers={"If-None-Match": first["ETag"]})
    assert len(drawn) == 1 and first.content == again.content
    assert not_modified.status_code == 304 and not not_modified.content
    assessment = shared["assessment"]
    assessment.save_changes({"strength_calf_raise_left": 12}, assessment.client.trainer, assessment.version)
    edited = owner_http.get(url, headers={"If-None-Match": first["ETag"]})
    assert edited.status_code == 200 and edited["ETag"] != first["ETag"] and len(drawn) == 2


# Safety: user text is text, and WeasyPrint fetches nothing we did not put there

HOSTILE = '<img src="file:///etc/passwd"><link rel="stylesheet" href="http://evil.example/x.css"><style>@import "http://evil.example/y.css";</style>'


def test_hostile_names_and_notes_are_text_in_the_page_and_the_pdf(owner, anon_http, monkeypatch):
    client = make_client(owner, name=f"Eve {HOSTILE}", goal=HOSTILE, notes=HOSTILE)
    assessment = make_assessment(client, notes=HOSTILE)
    _, token = ShareLink.issue(client, owner)
    fetched = []
    real = report_pdf.fetch_safely
    monkeypatch.setattr(report_pdf, "fetch_safely", lambda url: fetched.append(url) or real(url))
    page = anon_http.get(progress_url(token)).content.decode()
    assert '<img src="file:///etc/passwd">' not in page and "Hello Eve</h1>" in page  # she is greeted by first name
    first_word = make_client(owner, name='<img/src="file:///etc/passwd"> Eve')
    _, first_token = ShareLink.issue(first_word, owner)
    page = anon_http.get(progress_url(first_token)).content.decode()
    assert '<img/src="file:///etc/passwd">' not in page and "Hello &lt;img/src=&quot;file:///etc/passwd&quot;&gt;</h1>" in page
    content = anon_http.get(reverse("reports:progress_pdf", args=[token, assessment.pk])).content
    text = pdf_text(content)
    assert 'Eve <img src="file:///etc/passwd">' in text.replace("\n", "")
    assert not any(url.startswith(("file:", "http:", "https://evil")) for url in fetched), fetched


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://example.com/x.png", "https://example.com/",
                                 f"{report_pdf.STATIC_BASE}../config/settings.py", "ftp://example.com/x"])
def test_the_report_fetcher_refuses_everything_but_data_and_our_static_files(url):
    with pytest.raises(ValueError):
        report_pdf.fetch_safely(url)


def test_the_report_fetcher_serves_data_urls_and_static_files():
    assert report_pdf.fetch_safely("data:text/plain;base64,aGk=").read() == b"hi"
    assert b"<svg" in report_pdf.fetch_safely(f"{report_pdf.STATIC_BASE}img/logo.svg").read()


# The trainer's logo

def png_bytes(size=(120, 40), colour=(31, 111, 107)):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def test_a_logo_is_validated_re_encoded_and_shown_in_the_report(shared, owner_http, owner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    owner_http.post(reverse("studio_logo"), {"logo": SimpleUploadedFile("logo.png", png_bytes(), "image/png")})
    logo = StudioLogo.objects.get(studio=owner.studio)
    assert bytes(logo.data).startswith(b"\x89PNG")
    page = owner_http.get(reverse("profile")).content.decode()
    assert "data:image/png;base64," in page
    text = PdfReader(io.BytesIO(owner_http.get(reverse("reports:trainer_pdf", args=[shared["assessment"].pk])).content))
    assert any("/XObject" in page["/Resources"] for page in text.pages)


@pytest.mark.parametrize("name,content,message", [
    ("logo.png", b"not an image", "not a PNG or JPEG"),
    ("logo.gif", b"GIF89a" + b"\x00" * 20, "not a PNG or JPEG"),
    ("big.png", b"\x89PNG" + b"\x00" * (1024 * 1024 + 1), "larger than 1 MB"),
])
def test_bad_logos_are_refused(owner_http, owner, name, content, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = owner_http.post(reverse("studio_logo"), {"logo": SimpleUploadedFile(name, content)}).content.decode()
    assert message in page and not StudioLogo.objects.exists()


def test_logo_upload_needs_sign_in(anon_http):
    assert anon_http.post(reverse("studio_logo")).status_code == 302


def test_a_trainer_of_the_studio_sees_its_logo_but_only_its_owner_changes_it(owner, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    StudioLogo.objects.create(studio=owner.studio, data=png_bytes(), content_type="image/png")
    colleague = make_trainer("colleague@example.com", "Cara Colleague", studio=owner.studio)
    client.force_login(colleague)
    page = client.get(reverse("profile"))
    assert "Its owner keeps its details" in visible_text(page) and "data:image/png;base64," in page.content.decode()
    upload = client.post(reverse("studio_logo"), {"logo": SimpleUploadedFile("logo.png", png_bytes((9, 9), "red"), "image/png")})
    removal = client.post(reverse("studio_logo"), {"action": "remove"})
    details = client.post(reverse("studio_details"), {"name": "Taken Over", "quiet_after_days": 7})
    assert (upload.status_code, removal.status_code, details.status_code) == (403, 403, 403)
    owner.studio.refresh_from_db()
    assert StudioLogo.objects.filter(studio=owner.studio).count() == 1 and owner.studio.name == "Owner Fitness"


def test_her_page_shows_her_studios_logo_read_with_her_link(shared, anon_http, django_assert_max_num_queries):
    page = anon_http.get(progress_url(shared["token"])).content.decode()
    assert "data:image/png;base64," not in page
    StudioLogo.objects.create(studio=shared["client"].studio, data=png_bytes(), content_type="image/png")
    with django_assert_max_num_queries(8):  # no query of its own: joined with her link
        page = anon_http.get(progress_url(shared["token"])).content.decode()
    assert f"data:image/png;base64,{base64.b64encode(png_bytes()).decode()}" in page


def test_private_links_are_redacted_from_logs():
    import logging

    from config.logging import RedactPrivateLinks

    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/p/secret-token/",), None)
    RedactPrivateLinks().filter(record)
    assert "secret-token" not in record.getMessage() and "/p/[redacted]" in record.getMessage()


def test_withdrawing_consent_or_archiving_switches_her_link_off(shared, anon_http):
    shared["client"].withdraw_consent()
    assert anon_http.get(progress_url(shared["token"])).status_code == 404
    client = make_client(shared["client"].trainer, "Archived Client")
    _, token = ShareLink.issue(client, client.trainer)
    client.archive()
    assert anon_http.get(progress_url(token)).status_code == 404


def test_a_real_link_still_works_from_a_throttled_address(shared, anon_http):
    for _ in range(BAD_TOKEN_LIMIT + 1):
        anon_http.get(progress_url("wrong-token"))
    assert anon_http.get(progress_url("another-wrong-token")).status_code == 429
    assert anon_http.get(progress_url(shared["token"])).status_code == 200


def test_her_page_shows_no_next_session_before_any_assessment(owner, anon_http):
    from programmes.models import Plan, Programme

    client = make_client(owner)
    Programme.objects.create(client=client, plan=Plan.objects.get(name="Walk–run foundations").copy(trainer=owner, is_template=False),
                             start_date=timezone.localdate(), assigned_by=owner)
    _, token = ShareLink.issue(client, owner)
    page = anon_http.get(progress_url(token)).content.decode()
    # DOMAIN.md "Who may run": no assessment at all → no running.
    assert "has not recorded an assessment yet" in page and "Your next session" not in page
    assert "Your trainer will assess you before you start running." in page


def test_her_next_steps_put_the_strength_programme_in_her_words(shared, anon_http):
    assessment = make_assessment(shared["client"], days_after_birth=7 * 15, pelvic_floor_strength_training_to_date=False)
    assert assessment.verdict == "not_yet"
    page = anon_http.get(progress_url(shared["token"])).content.decode()
    assert "First, a low-impact exercise and strength programme" in page
    assert "running from 3 to 6 months after the birth at the earliest" in page and "a few weeks" not in page
    assert "Still to build: low-impact" not in page


# Her trends over time (issue 13)

def not_tried(section):
    """Overrides that leave every measurement of a protocol section unrecorded."""
    from guideline.protocol import section as protocol_section

    return {field.name: None for item in protocol_section(section).items for field in item.fields}


@pytest.fixture
def three_check_ups(client_record):
    """Right sit to stand 8 → 11 → 13; the left calf raise not tested at the middle one, whose load and
    impact tests were not tried either."""
    made = [
        make_assessment(client_record, days_after_birth=7 * 6, strength_single_leg_sit_to_stand_right=8,
                        strength_calf_raise_left=12),
        make_assessment(client_record, days_after_birth=7 * 9, strength_single_leg_sit_to_stand_right=11,
                        strength_calf_raise_left=None, **not_tried("load_impact")),
        make_assessment(client_record, days_after_birth=7 * 14, strength_single_leg_sit_to_stand_right=13,
                        strength_calf_raise_left=17, load_impact_hop_in_place_left=6),
    ]
    _, token = ShareLink.issue(client_record, client_record.trainer)
    return made, token


def day(assessment):
    return f"{assessment.assessed_on:%-d %b %Y}"


def trend(context, slug):
    return next(chart for group in context["trends"] for chart in group["charts"] if chart.slug == slug)


def test_each_strength_test_is_a_line_per_leg_across_her_check_ups(three_check_ups, anon_http):
    from reports.progress import client_progress

    made, token = three_check_ups
    chart = trend(client_progress(made[0].client), "strength-single_leg_sit_to_stand")
    right = next(line for line in chart.lines if line.series == "right")
    assert [point.value for point in right.points] == [8, 11, 13]
    assert [row[2] for row in chart.rows] == [8, 11, 13]
    sentence = f"Right leg: from 8 reps on {day(made[0])} to 13 reps on {day(made[2])}."
    assert sentence in chart.summary and sentence in chart.description
    page = anon_http.get(progress_url(token)).content.decode()
    assert sentence in page
    assert 'aria-labelledby="strength-single_leg_sit_to_stand-title strength-single_leg_sit_to_stand-desc"' in page


def test_a_check_up_that_did_not_test_a_side_is_a_gap_never_0(three_check_ups):
    from reports.progress import client_progress

    made, _ = three_check_ups
    chart = trend(client_progress(made[0].client), "strength-calf_raise")
    left = next(line for line in chart.lines if line.series == "left")
    assert [point.value for point in left.points] == [12, None, 17]
    assert left.points[1].y is None and left.path.count("M") == 2 and "L" not in left.path
    assert [row[1] for row in chart.rows] == [12, "not tested", 17]
    assert f"Left leg: from 12 reps on {day(made[0])} to 17 reps on {day(made[2])}." in chart.summary
    target = trend(client_progress(made[0].client), "strength-single_leg_bridge").target
    assert trend(client_progress(made[0].client), "strength-single_leg_bridge").summary == (
        f"Each leg: {target} reps at each check-up from {day(made[0])} to {day(made[2])}.")


def test_load_tests_passed_counts_each_check_up_and_leaves_a_gap_when_none_was_tried(three_check_ups):
    from reports.progress import client_progress

    made, _ = three_check_ups
    chart = trend(client_progress(made[0].client), "load-impact")
    assert [bar.value for bar in chart.bars] == [7, None, 6]
    assert [row[1] for row in chart.rows] == [7, "not tested", 6]
    assert f"from 7 of 7 on {day(made[0])} to 6 of 7 on {day(made[2])}" in chart.summary


def test_pelvic_floor_trends_follow_the_protocols_number_items(three_check_ups):
    from guideline import protocol
    from reports.progress import client_progress

    made, _ = three_check_ups
    context = client_progress(made[0].client)
    pelvic = [chart.slug for group in context["trends"] for chart in group["charts"] if chart.slug.startswith("pelvic-")]
    assert pelvic == [f"pelvic-{item.code}" for item in protocol.section("pelvic_floor").items if item.kind == "number"]
    holds = trend(context, "pelvic-long_holds")
    target = protocol.ITEMS["pelvic_floor.long_holds"].target
    assert holds.summary == f"Long holds: {target} holds at each check-up from {day(made[0])} to {day(made[2])}."


def test_a_measure_her_latest_check_up_did_not_take_says_so():
    from datetime import date

    from reports.trends import trend_sentence

    dated = [(date(2026, 3, 3), 8), (date(2026, 11, 26), None)]
    assert trend_sentence("Right leg", "reps", dated) == "Right leg: 8 reps on 3 Mar 2026; not tested at your latest check-up."
    assert trend_sentence("Right leg", "reps", [(date(2026, 3, 3), None)]) == "Right leg: not tested yet."


def test_weekly_running_minutes_come_from_her_logged_sessions(shared, anon_http, owner):
    from programmes.models import Plan, Programme, SessionLog
    from reports.progress import client_progress
    from reports.trends import RUNNING_WEEKS_SHOWN

    today = timezone.localdate()
    plan = Plan.objects.get(name="Walk–run to 30 minutes").copy(trainer=owner, is_template=False)
    programme = Programme.objects.create(client=shared["client"], plan=plan, start_date=today - timedelta(weeks=20),
                                         assigned_by=owner)
    first = plan.sessions.get(week=1, number=1)
    SessionLog.objects.create(programme=programme, week=1, session_number=1, outcome="completed", done_on=today,
                              logged_by=owner)
    chart = client_progress(shared["client"], today=today)["running_chart"]
    assert len(chart.bars) == RUNNING_WEEKS_SHOWN  # bounded: the last weeks, not all twenty
    minutes = round(first.running_seconds / 60)
    assert chart.bars[-1].value == minutes and all(bar.value == 0 for bar in chart.bars[:-1])
    assert chart.summary == (f"Running minutes: {minutes} minutes over the last {RUNNING_WEEKS_SHOWN} weeks; "
                             f"{minutes} minutes so far this week.")


def test_her_report_draws_the_same_trends(three_check_ups, owner_http, tmp_path):
    import subprocess

    made, _ = three_check_ups
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(owner_http.get(reverse("reports:trainer_pdf", args=[made[2].pk])).content)
    # Without -layout: the report sets charts two to a row, and a layout dump interleaves the columns.
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout.split())
    assert "Your progress over time" in text and "Strength: reps on each leg" in text
    assert f"Right leg: from 8 reps on {day(made[0])} to 13 reps on {day(made[2])}." in text
    assert "Load and impact tests passed" in text


def test_her_page_has_no_trainer_wording_in_her_programme(shared, anon_http, owner):
    from programmes.models import Plan, Programme

    make_assessment(shared["client"], days_after_birth=7 * 9, symptoms_urinary_leakage=True)  # an earlier refer
    plan = Plan.objects.get(name="Walk–run to 30 minutes").copy(trainer=owner, is_template=False)
    Programme.objects.create(client=shared["client"], plan=plan, start_date=timezone.localdate(), assigned_by=owner)
    page = anon_http.get(progress_url(shared["token"])).content.decode()
    assert "No sessions logged yet." in page
    text = visible_text(page)
    assert "⚠ See a health professional first" in text and "Ready for a graded return" in text
    assert "symptom-free in a row" not in page and "Your check-ups" in page and "Your assessments" not in page


def test_a_programme_that_starts_next_week_has_no_running_weeks_yet(shared, owner):
    from programmes.models import Plan, Programme
    from programmes.snapshot import snapshot_of
    from reports.trends import weekly_running_chart

    today = timezone.localdate()
    plan = Plan.objects.get(name="Walk–run to 30 minutes").copy(trainer=owner, is_template=False)
    programme = Programme.objects.create(client=shared["client"], plan=plan, start_date=today + timedelta(weeks=1),
                                         assigned_by=owner)
    chart = weekly_running_chart(snapshot_of(programme, today))
    assert chart.bars == [] and chart.summary == "Your running minutes will show here once your programme starts."


# Presentation decided in Python: the templates only render it (issue 11) ------------------

def test_each_chart_names_the_template_that_draws_it_and_its_caption():
    from reports import charts

    series = [("1 Mar", 8), ("1 Apr", None)]
    line = charts.line_chart("l", "Fast squeezes", "", "reps", series, target=10)
    sided = charts.sided_line_chart("s", "Single leg bridge", "", "reps", [("1 Mar", 18, 20)], target=20)
    bar = charts.bar_chart("b", "Load and impact tests passed (of 7)", "", "tests passed", series, maximum=7, target=7)
    assert [line.template, sided.template, bar.template] == [
        "reports/charts/line.html", "reports/charts/sided.html", "reports/charts/bar.html"]
    assert line.caption == "Fast squeezes (reps)." and line.keys == ["Dashed line: target 10."]
    assert sided.caption == "Single leg bridge, reps on each side."
    assert sided.keys == ["Green line with circles: left; brown line with squares: right.", "Dashed line: target 20."]
    assert bar.caption == "Load and impact tests passed (of 7)."
    # Not tested is a grey dash, never a 0.
    assert [(b.text, b.text_weight) for b in bar.bars] == [("8", "bold"), ("–", "normal")]
    assert bar.bars[0].text_colour != bar.bars[1].text_colour
    assert [(line.style.marker, line.style.cap) for line in sided.lines] == [("circle", "round"), ("square", "butt")]


def test_only_a_caution_that_names_same_day_help_is_shown_as_urgent():
    from assessments.readiness import Caution

    assert Caution("holistic.mood", "").urgent
    assert not any(Caution(code, "").urgent for code in ("holistic.sleep", "pelvic_floor.physio_assessed",
                                                          "load_impact.symptoms", "profile.breastfeeding"))


def test_a_session_outcome_carries_its_tone():
    from programmes.progression import Outcome

    assert [Outcome(kind, "").tone for kind in ("pause", "repeat_week", "advance_week")] == ["error", "warning", ""]


@pytest.mark.parametrize("count, clean, words", [
    (0, 0, "No sessions logged yet."),
    (1, 1, "1 session logged so far, without symptoms."),
    (3, 3, "3 sessions logged so far, all without symptoms."),
    (3, 1, "3 sessions logged so far; the last one without symptoms."),
    (4, 2, "4 sessions logged so far; the last 2 without symptoms."),
    (2, 0, "2 sessions logged so far."),
])
def test_her_programme_standing_counts_her_sessions_in_words(count, clean, words):
    from types import SimpleNamespace

    from reports.her_words import programme_standing

    state = SimpleNamespace(clean_streak=clean, week=2, weeks=9, repeats=0)
    today = date(2026, 12, 6)
    # Her programme's snapshot (programmes/snapshot.py), as far as her standing reads it.
    snapshot = SimpleNamespace(status="active", state=state, logged_count=count, start_date=today, starts_later=False)
    standing = programme_standing(snapshot)
    assert standing.logged == words
    assert (standing.before, standing.strong, standing.after) == ("You are in ", "week 2 of 9", ".")


# Issue 22 (4): her link again, without revoking it --------------------------------------------------

def test_her_live_link_can_be_shown_again_with_a_qr_code_and_emailed_again(shared, owner_http, anon_http, stranger_http):
    from audit.models import AccessEvent

    client = shared["client"]
    url = reverse("clients:link_show", args=[client.pk])
    assert anon_http.get(url).status_code == 302 and stranger_http.get(url).status_code == 404
    page = owner_http.get(url)
    text = __import__("html").unescape(page.content.decode())
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
    assert progress_url(shared["token"]) in text and '<svg role="img"' in text and "she points her phone's camera at this code" in text
    assert AccessEvent.objects.filter(client=client, kind="link_shown").count() == 1
    assert anon_http.get(progress_url(shared["token"])).status_code == 200, "showing it again does not revoke it"
    client.email = "amira@example.com"
    client.save()
    owner_http.post(reverse("clients:link_email", args=[client.pk]))
    assert mail.outbox[-1].to == ["amira@example.com"] and progress_url(shared["token"]) in mail.outbox[-1].body
    assert "Show her link and QR code" in owner_http.get(client.get_absolute_url()).content.decode()


def test_a_revoked_link_or_one_not_kept_is_never_shown(shared, owner_http):
    client = shared["client"]
    ShareLink.objects.filter(pk=shared["link"].pk).update(token_encrypted="")  # made before links were kept
    response = owner_http.get(reverse("clients:link_show", args=[client.pk]), follow=True)
    assert "No link of hers can be shown: make a new one" in response.content.decode()
    assert shared["token"] not in response.content.decode()
    owner_http.post(reverse("clients:link_revoke", args=[client.pk]))
    response = owner_http.get(reverse("clients:link_show", args=[client.pk]), follow=True)
    assert "She has no active link" in response.content.decode()
    response = owner_http.post(reverse("clients:link_email", args=[client.pk]), follow=True)
    assert response.redirect_chain == [(client.get_absolute_url(), 302)]
    assert "That link is no longer valid: make a new one to email." in visible_text(response)
    assert not mail.outbox


def test_charts_draw_each_measured_point_once_from_strings_made_in_python():
    """Issue 20: the templates write a series' markers as one path each (charts.marks) and its numbers
    from ready-made strings, instead of an element and a dozen template variables per point. Each
    measured point has its marker (a dot, or a 9-wide square with its 2-wide white edge) and its
    number; a point not measured has neither (a gap, never 0); the ticks are one path."""
    import re

    from django.template.loader import render_to_string

    from reports import charts

    line = charts.line_chart("a", "Fast squeezes", "d", "reps", [("3 Mar", 8), ("4 Apr", None), ("5 May", 12.5)], target=10)
    sided = charts.sided_line_chart("b", "Calf raise", "d", "reps", [("3 Mar", 8, 9), ("4 Apr", None, 11), ("5 May", 17, 17)],
                                    target=20)
    bar = charts.bar_chart("c", "Running minutes", "d", "minutes", [("1 Mar", 7), ("8 Mar", None), ("15 Mar", 36)], target=30)
    measured = [p for p in line.points if p.y is not None]
    assert line.dots == line.outline == " ".join(f"M{p.x} {p.y}h0" for p in measured)
    assert line.labels == [(str(p.x), str(p.y), p.value) for p in measured] and [p.value for p in measured] == [8, 12.5]
    left, right = sided.lines
    assert left.dots == " ".join(f"M{p.x} {p.y}h0" for p in left.points if p.y is not None)
    # A square: the stroke's length is its width, centred on the point.
    assert right.outline == " ".join(f"M{float(p.x) - 5.5:g} {p.y}h11" for p in right.points)
    assert right.dots == " ".join(f"M{float(p.x) - 3.5:g} {p.y}h7" for p in right.points)
    assert [label[3] for label in left.labels] == [8, 17] and [label[3] for label in right.labels] == [9, 11, 17]
    assert [label[2] for label in right.labels] == ["-9", "-9", "18"]  # equal numbers: the right one below
    assert sided.grid == " ".join(f"M34 {tick.y}H350" for tick in sided.ticks)
    assert [text for _, text in sided.tick_labels] == [str(tick.value) for tick in sided.ticks]
    assert [b.dx for b in bar.bars] == [str(round(float(b.width) / 2)) for b in bar.bars]
    for chart, numbers in ((line, ["8", "12.5"]), (sided, ["8", "17", "9", "11", "17"]), (bar, ["7", "–", "36"])):
        for for_print in (False, True):
            svg = render_to_string(chart.template, {"chart": chart, "for_print": for_print}).split("</svg>")[0]
            texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
            assert texts[-len(numbers):] == numbers
            assert "<circle" not in svg and "{{" not in svg and 'd=""' not in svg


def test_charts_ready_made_runs_write_what_the_template_loops_wrote():
    """Issue 20: the charts' repeated runs (value labels, tick and date labels, bars, the table's rows)
    are made in Python as format_html makes them; each is what the template loop it replaced wrote, her
    words escaped (never marked safe), and charts.shown() writes a value as {{ value }} does."""
    from datetime import date as day
    from decimal import Decimal

    from django.template import engines
    from django.utils.formats import localize
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe

    from reports import charts

    for value in (0, 7, -3, 1234567, 12.5, -0.5, 0.1 + 0.2, 1e-7, 1e22, 3.0, Decimal("2.50"), day(2026, 3, 5), "<b>&",
                  None, True, mark_safe("<i>&amp;</i>"), "'\"", float("nan"), -float("inf")):
        assert charts.shown(value) == localize(value), value
        assert charts.escaped(value) == conditional_escape(localize(value)), value  # as format_html() escapes it
    odd = '<b>"Tom" & Jerry</b>'
    line = charts.line_chart("a", "Fast squeezes", "d", "reps", [(odd, 8), ("4 Apr", None), (day(2026, 5, 5), 12.5)])
    sided = charts.sided_line_chart("b", "Calf raise", "d", "reps", [(odd, 8, 9), ("4 Apr", None, 11), ("5 May", 17, 17.5)])
    bar = charts.bar_chart("c", "Running minutes", "d", "minutes", [(odd, 7), ("8 Mar", None), ("15 Mar", 36)], target=30)
    loops = {  # the loops as the templates wrote them before
        "labels_markup": '{% for x, y, value in chart.labels %}<text x="{{ x }}" y="{{ y }}" dy="-9">{{ value }}</text>{% endfor %}',
        "tick_labels_markup": '{% for y, text in chart.tick_labels %}<text y="{{ y }}" dy="4">{{ text }}</text>{% endfor %}',
        "x_labels_markup": '{% for x, text in chart.x_labels %}<text x="{{ x }}">{{ text }}</text>{% endfor %}',
        "bars_markup": '{% for bar in chart.bars %}<rect x="{{ bar.x }}" y="{{ bar.y }}" width="{{ bar.width }}" '
                       'height="{{ bar.height }}" rx="3" fill="{{ bar.fill }}"/><text x="{{ bar.x }}" y="{{ bar.y }}" '
                       'dx="{{ bar.dx }}" dy="-6" text-anchor="middle" font-size="12" font-weight="{{ bar.text_weight }}" '
                       'fill="{{ bar.text_colour }}">{{ bar.text }}</text>\n{% endfor %}',
        "table_body": '{% for label, cells in rows %}<tr><th scope="row">{{ label }}</th>{% for cell in cells %}'
                      '<td>{{ cell }}</td>{% endfor %}</tr>{% endfor %}',
    }
    engine = engines["django"]
    for chart in (line, sided, bar):
        rows = [(row[0], row[1:]) for row in chart.rows]  # as printed() gave them to the table's loop
        for name, loop in loops.items():
            assert getattr(chart, name) == engine.from_string(loop).render({"chart": chart, "rows": rows}), (chart.slug, name)
        assert odd not in chart.table_body and "&lt;b&gt;&quot;Tom&quot; &amp; Jerry&lt;/b&gt;" in chart.table_body
    for each in sided.lines:
        assert each.labels_markup == engine.from_string(
            '{% for x, y, dy, value in line.labels %}<text x="{{ x }}" y="{{ y }}" dy="{{ dy }}">{{ value }}</text>{% endfor %}'
        ).render({"line": each})
    assert "12.5</text>" in line.labels_markup and "17.5</td>" in sided.table_body
    empty = charts.bar_chart("e", "Running minutes", "d", "minutes", [])
    assert empty.bars_markup == empty.table_body == empty.x_labels_markup == ""


def test_chart_templates_draw_what_they_drew_with_their_partials():
    """Issue 20: each chart's caption, frame (title, description, grid, axis and labels), target line,
    sided lines and table headers come ready-made (reports/charts.py) where the templates included a
    partial or looped for them: every chart template writes, byte for byte, what it wrote with them
    (tests/reports/charts_before: the templates as they were), on her page and in print, her words
    escaped."""
    from datetime import date as day
    from pathlib import Path

    from django.template import Context, Engine
    from django.template.loader import render_to_string

    from reports import charts

    before = Engine(dirs=[str(Path(__file__).parent / "charts_before")])
    odd = '<b>"Tom" & Jerry</b>'
    drawn = [
        charts.line_chart("a", odd, odd, "reps", [(odd, 8), ("4 Apr", None), (day(2026, 5, 5), 12.5)], target=10, summary=odd),
        charts.line_chart("b", "Long holds", "d", "holds", [("3 Mar", 4)]),
        charts.line_chart("c", "Fast squeezes", "d", "", [("3 Mar", None)], summary=""),
        charts.sided_line_chart("d", "Calf raise", odd, "reps", [(odd, 8, 9), ("4 Apr", None, 11), ("5 May", 17, 17.5)],
                                target=20, summary="Both legs."),
        charts.sided_line_chart("e", "Bridge", "d", "reps", [(f"{n} Jan", n, None) for n in range(1, 13)]),
        charts.bar_chart("f", "Running minutes", odd, "minutes", [(odd, 7), ("8 Mar", None), ("15 Mar", 36)], target=30,
                         summary=odd),
        charts.bar_chart("g", "Sessions", "d", "sessions", [("1 Mar", None), ("8 Mar", 2)], missing="not answered"),
        charts.bar_chart("h", "Running minutes", "d", "minutes", []),
    ]
    for chart in drawn:
        for for_print in (False, True):
            context = {"chart": chart, "for_print": for_print}
            now = render_to_string(chart.template, context)
            assert now == before.get_template(chart.template).render(Context(context)), (chart.slug, for_print)
            assert odd not in now and "{{" not in now
    assert "&lt;b&gt;&quot;Tom&quot; &amp; Jerry&lt;/b&gt;" in render_to_string(drawn[0].template, {"chart": drawn[0]})

"""PDF reports with WeasyPrint: a fetcher that can reach nothing but data: URLs and our
own static files, and a store (DrawnReport) so an unchanged report is never drawn twice."""

import hashlib
import logging
import mimetypes
from collections import namedtuple
from functools import cache

from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from lib.code_version import code_version

from .models import DrawnReport

logger = logging.getLogger(__name__)

STATIC_BASE = "https://restride.invalid/static/"
REPORT_VERSION = "5"  # bump when the way reports are drawn changes (not the template: its HTML is in the key)


def fetch_safely(url):
    """The only URLs a report may load. Anything else, above all file: and http(s):, is refused."""
    from weasyprint.urls import URLFetcherResponse

    if url.startswith("data:"):
        from urllib.request import urlopen

        with urlopen(url) as response:  # the data: handler only: the scheme is checked above
            return URLFetcherResponse(url, response.read(), {"Content-Type": response.headers.get_content_type()})
    if url.startswith(STATIC_BASE):
        try:
            path = finders.find(url.removeprefix(STATIC_BASE).split("?")[0])
        except SuspiciousFileOperation:  # "../" out of the static folders
            path = None
        if path:
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            with open(path, "rb") as file:
                return URLFetcherResponse(url, file.read(), {"Content-Type": content_type})
    logger.warning("Report refused to fetch %s", url[:200])
    raise ValueError(f"Reports may not fetch {url[:200]}")


@cache
def _fetcher():
    from weasyprint.urls import URLFetcher

    class SafeFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            return fetch_safely(url)

    return SafeFetcher()


@cache
def _font_config():
    """One font configuration for every report a process draws, as WeasyPrint advises, instead
    of setting up fontconfig and Pango's font map again for each. (gunicorn's sync workers draw one
    report at a time in a process; the drawn PDFs are byte for byte the same as without it.)"""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@cache
def _stylesheet():
    from weasyprint import CSS

    return CSS(filename=finders.find("css/report.css"), url_fetcher=_fetcher(), base_url=STATIC_BASE,
               font_config=_font_config())


def html_to_pdf(html):
    from weasyprint import HTML

    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=_fetcher())
    return document.write_pdf(stylesheets=[_stylesheet()], pdf_variant="pdf/ua-1", font_config=_font_config(),
                              finisher=scope_table_headers)


# What a report draws (headings, a list, a table, an SVG chart with text), in a few lines.
WARM_UP_HTML = (
    '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Warm-up</title></head><body>'
    '<h1>Warm-up</h1><section class="help-list"><ul><li><strong>One.</strong> Two</li></ul></section>'
    '<table class="results-table"><thead><tr><th scope="col">A</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>'
    '<figure class="chart"><svg viewBox="0 0 40 20" xmlns="http://www.w3.org/2000/svg"><path d="M0 0H40"/>'
    '<text x="1" y="15">1</text></svg></figure></body></html>'
)


def warm_up():
    """Draw a small document once, so that the first report a new process draws (the first
    Finish after the worker starts) does not also pay for loading WeasyPrint's C bindings, the
    fonts and the stylesheet: about 1.4 s of CPU once, against 0.3–0.5 s for a report."""
    html_to_pdf(WARM_UP_HTML)


def scope_table_headers(document, pdf):
    """PDF/UA 7.5: WeasyPrint ties each data cell to its header cells (/Headers and /IDs); each header
    cell gets its /Scope too, Column in a table's head and Row in its body, as the HTML's scope says,
    so a checker that reads the header cells finds the association (pdfua's UA-15-003)."""
    import pydyf

    def parent(element):
        return pdf.objects[int(bytes(element["P"]).split()[0])]

    for element in pdf.objects:
        if isinstance(element, pydyf.Dictionary) and element.get("S") == "/TH":
            group = parent(parent(element)).get("S")
            element["A"]["Scope"] = "/Column" if group == "/THead" else "/Row"


def render_report(context):
    return html_to_pdf(render_to_string("reports/report.html", context))


@cache
def _stylesheet_digest():
    with open(finders.find("css/report.css"), "rb") as file:
        return hashlib.sha256(file.read()).digest()


def report_key(html):
    """What a drawn report shows, as a key: the HTML WeasyPrint is given, the stylesheet it
    draws it with and REPORT_VERSION (for anything else about drawing, e.g. the PDF variant).
    Derived from what is shown, not from a list of what it depends on (issue 11): whatever
    changes the report, her data, her lead trainer's name, her studio's details or logo, the day, the template, changes
    the HTML and so the key."""
    digest = hashlib.sha256(REPORT_VERSION.encode() + b"|" + _stylesheet_digest() + b"|")
    digest.update(html.encode())
    return digest.hexdigest()


# Her row's own bookkeeping, which no report shows (her version, her latest activity, what her
# row keeps of her other rows, and for home's worklist, clients.models.WORKLIST_FIELDS): its
# moving on leaves every record as it was.
NOT_IN_RECORDS = {"data_version", "last_activity_at", "latest_assessment", "updated_at"}


def _values(row, skip=frozenset()):
    return "|".join(repr(getattr(row, field.attname)) for field in row._meta.concrete_fields if field.name not in skip)


def report_stamps(client, today, history, latest_pk):
    """{assessment pk: stamp} for each of `history`, her assessments in (date, id) order from her
    first: what its report could depend on. Her latest's report is live: its stamp names her data
    version (clients/versions.py: any operation on anything of hers moves it on), the day, her
    lead trainer's and studio's details, its logo and the code. Each earlier one's is a record of its day: its stamp
    names only what it can show, her row (but its bookkeeping), every value of the assessments up
    to it, her lead trainer's and studio's details, its logo and the code, so her logged sessions, the passing days
    and her later assessments leave it alone: a change of hers costs one report's drawing.

    A stamp only saves work, it decides nothing: a stored report whose stamp still matches has
    a key that still matches (nothing it could show has changed), so its HTML need not be
    rendered again to know it is current. When the stamp has moved on the HTML is rendered
    and its key (report_key) decides whether the PDF must be drawn again."""
    from clients.models import WORKLIST_FIELDS, Client

    version, trainer_changed, studio_changed, logo_changed = Client.objects.filter(pk=client.pk).values_list(
        "data_version", "trainer__updated_at", "studio__updated_at", "studio__logo__updated_at"
    ).get()
    base = "|".join(map(str, [REPORT_VERSION, code_version(), client.pk, trainer_changed, studio_changed, logo_changed]))

    def stamp(*parts):
        return hashlib.sha256("|".join(map(str, [base, *parts])).encode()).hexdigest()

    stamps, so_far = {}, hashlib.sha256(_values(client, NOT_IN_RECORDS | set(WORKLIST_FIELDS)).encode())
    for assessment in history:
        so_far.update(_values(assessment).encode())
        stamps[assessment.pk] = (stamp("live", version, today.isoformat()) if assessment.pk == latest_pk
                                 else stamp("record", so_far.hexdigest()))
    return stamps


# A report of one assessment: its stamp, its key, its HTML when it had to be rendered to know
# the key (None when a stored drawing's stamp still matched), and whether the stored drawing is
# this report (nothing to draw).
Report = namedtuple("Report", "assessment stamp key html stored")


def is_record(assessment, latest_pk):
    """A report that is no longer her latest's is a record of the day it was assessed."""
    return assessment.pk != latest_pk


def report_html(assessment, latest_pk, today, logo_url):
    """The report's HTML. Her latest assessment's report is live: drawn for `today`, with her
    current programme. Any earlier one is a record "as on the day of that assessment": drawn
    for its own date, without today's programme (today's programme under an old verdict would
    mislead), so logging sessions, the passing days and later assessments leave it unchanged."""
    from .progress import report_context

    context = report_context(assessment.client, assessment, today, record=is_record(assessment, latest_pk))
    context["logo_url"] = logo_url
    return render_to_string("reports/report.html", context)


def reports_for(client, assessments, latest_pk, today, render=True, history=None):
    """The Report of each of `assessments` (hers; `history`: hers in (date, id) order up to the
    last of them, when `assessments` are not all of those): a stored drawing's key where its stamp
    still matches, else the key of the HTML rendered now. A stored drawing found current again
    (its key unchanged) gets the new stamp, so the next look needs no rendering. With
    render=False nothing is rendered: a report whose stamp does not match has key None, for
    draw() to render when its turn comes (her export's steps)."""
    from accounts.models import StudioLogo

    stamps = report_stamps(client, today, history or sorted(assessments, key=lambda a: (a.assessed_on, a.pk)), latest_pk)
    stored = {pk: (stamp, key) for pk, stamp, key in DrawnReport.objects.filter(
        assessment_id__in=[a.pk for a in assessments]).values_list("assessment_id", "stamp", "key")}
    logo_url = None
    found = []
    for assessment in assessments:
        assessment.client = client
        stamp = stamps[assessment.pk]
        stored_stamp, stored_key = stored.get(assessment.pk, (None, None))
        if stored_stamp == stamp or not render:
            current = stored_stamp == stamp
            found.append(Report(assessment, stamp, stored_key if current else None, None, current))
            continue
        if logo_url is None:
            logo_url = StudioLogo.url_for(client.studio_id)
        html = report_html(assessment, latest_pk, today, logo_url)
        key = report_key(html)
        report = Report(assessment, stamp, key, html, stored_key == key)
        if report.stored:
            DrawnReport.objects.filter(assessment_id=assessment.pk, key=report.key).update(stamp=stamp)
        found.append(report)
    return found


def report_of(assessment, today, render=False):
    """The Report of one assessment (its client and trainer loaded with it); render=True
    renders it even when a stored drawing's stamp matches."""
    from .progress import up_to

    client = assessment.client
    latest_pk = client.assessments.order_by("-assessed_on", "-pk").values_list("pk", flat=True).first()
    # A record's stamp reads every assessment up to it; her latest's reads her version alone.
    history = [assessment] if assessment.pk == latest_pk else list(
        client.assessments.filter(up_to(assessment)).order_by("assessed_on", "pk"))
    if render:
        from accounts.models import StudioLogo

        html = report_html(assessment, latest_pk, today, StudioLogo.url_for(client.studio_id))
        key = report_key(html)
        stored = DrawnReport.objects.filter(assessment_id=assessment.pk, key=key).exists()
        return Report(assessment, report_stamps(client, today, history, latest_pk)[assessment.pk], key, html, stored)
    return reports_for(client, [assessment], latest_pk, today, history=history)[0]


def reports_of(client, today, render=True):
    """The Report of every assessment of hers, oldest first."""
    history = list(client.assessments.order_by("assessed_on", "pk"))
    return reports_for(client, history, history[-1].pk, today, render, history=history) if history else []


def stored_pdfs(reports):
    """{assessment pk: PDF} for those of `reports` stored with their current key, one query."""
    wanted = {report.assessment.pk: report.key for report in reports}
    rows = DrawnReport.objects.filter(assessment_id__in=wanted).values_list("assessment_id", "key", "pdf")
    return {pk: bytes(pdf) for pk, key, pdf in rows if wanted[pk] == key}


def draw(report):
    """Draw the report and store it in place of any stale one of the same assessment. A Report
    not rendered (reports_for's render=False, or known current by its stamp) is rendered first,
    and not drawn when its stored drawing turns out to be current."""
    if report.html is None:
        report = report_of(report.assessment, timezone.localdate())
        stored = stored_pdfs([report]).get(report.assessment.pk)
        if stored is not None:
            return stored
        if report.html is None:  # its stamp matched, but the drawing went meanwhile (her erasure)
            report = report_of(report.assessment, timezone.localdate(), render=True)
    pdf = html_to_pdf(report.html)
    assessment = report.assessment
    try:
        with transaction.atomic():
            DrawnReport.objects.update_or_create(assessment_id=assessment.pk, defaults={
                "client_id": assessment.client_id, "key": report.key, "stamp": report.stamp, "pdf": pdf})
    except IntegrityError:  # stored at the same moment elsewhere, or she was erased meanwhile
        logger.info("Report of assessment %s was stored elsewhere meanwhile", assessment.pk)
    return pdf


def report_pdf(report):
    """The PDF of this Report: the stored one when its key still matches, else drawn now and
    stored. Her download and her "everything" export both take it from here, so they are the
    same file; reports/drawing.py draws them beforehand."""
    return stored_pdfs([report]).get(report.assessment.pk) or draw(report)

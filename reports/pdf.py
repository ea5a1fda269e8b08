"""PDF reports with WeasyPrint: a fetcher that can reach nothing but data: URLs and our
own static files, and a cache so an unchanged report is never drawn twice."""

import hashlib
import logging
import mimetypes
from functools import cache

from django.contrib.staticfiles import finders
from django.core.cache import cache as django_cache
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string

from config.fragments import client_keys_key, remember_for_client

logger = logging.getLogger(__name__)

STATIC_BASE = "https://restride.invalid/static/"
REPORT_VERSION = "3"  # bump when the report's template changes, so cached reports are redrawn


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
    return document.write_pdf(stylesheets=[_stylesheet()], pdf_variant="pdf/ua-1", font_config=_font_config())


def render_report(context):
    return html_to_pdf(render_to_string("reports/report.html", context))


def report_fingerprint(assessment, today):
    """What the report of this assessment depends on, derived rather than listed: her data
    version (clients/versions.py moves it on with every change to anything of hers: the
    assessment, the earlier ones, her profile, her programme, its plan and logs), her trainer's
    business details and logo, the day (weeks after birth, "due" wording) and the template."""
    return report_fingerprints(assessment.client, [assessment], today)[assessment.pk]


def report_fingerprints(client, assessments, today):
    """{pk: report_fingerprint(assessment, today)} for many of her assessments in one query."""
    from clients.models import Client

    version, trainer_changed, logo_changed = Client.objects.filter(pk=client.pk).values_list(
        "data_version", "trainer__updated_at", "trainer__logo__updated_at"
    ).get()
    prints = {}
    for assessment in assessments:
        parts = [REPORT_VERSION, today.isoformat(), client.pk, version, assessment.pk, trainer_changed, logo_changed]
        prints[assessment.pk] = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]
    return prints


REPORT_TIMEOUT = 60 * 60 * 24


def cached_report(etag, build_context, client_pk=None):
    """The PDF for this fingerprint: drawn once, then served from the cache. With `client_pk`
    the key is also listed under her, so erasing her can remove her cached reports."""
    key = f"report:{etag}"
    pdf = django_cache.get(key)
    if pdf is None:
        pdf = render_report(build_context())
        django_cache.set(key, pdf, timeout=REPORT_TIMEOUT)
        if client_pk is not None:
            remember_for_client(client_pk, key)
    return pdf


def is_cached(etag):
    return django_cache.has_key(f"report:{etag}")


def client_report_keys(client_pk):
    """Her cached reports and cached pages (config/fragments.py)."""
    return django_cache.get(client_keys_key(client_pk), [])


def forget_client_reports(client_pk):
    """Remove every cached report of hers (erasure): the PDFs hold her health data too."""
    keys = client_report_keys(client_pk)
    django_cache.delete_many([*keys, client_keys_key(client_pk)])
    return len(keys)


def report_pdf(assessment, etag, today):
    """The PDF report of this assessment, drawn once per fingerprint: her download and her
    "everything" export both take it from here, so they are the same file."""
    from accounts.models import TrainerLogo

    from .progress import client_progress

    def build_context():
        context = client_progress(assessment.client, assessment, today)
        context["logo_url"] = TrainerLogo.url_for(assessment.client.trainer)
        return context

    return cached_report(etag, build_context, assessment.client_id)

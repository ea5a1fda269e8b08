"""PDF reports with WeasyPrint: a fetcher that can reach nothing but data: URLs and our
own static files, and a cache so an unchanged report is never drawn twice."""

import hashlib
import logging
import mimetypes
from functools import cache

from django.contrib.staticfiles import finders
from django.core.cache import cache as django_cache
from django.core.exceptions import SuspiciousFileOperation
from django.db.models import Count, Max
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

STATIC_BASE = "https://restride.invalid/static/"
REPORT_VERSION = "2"  # bump when the report's template changes, so cached reports are redrawn


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
def _stylesheet():
    from weasyprint import CSS

    return CSS(filename=finders.find("css/report.css"), url_fetcher=_fetcher(), base_url=STATIC_BASE)


def html_to_pdf(html):
    from weasyprint import HTML

    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=_fetcher())
    return document.write_pdf(stylesheets=[_stylesheet()], pdf_variant="pdf/ua-1")


def render_report(context):
    return html_to_pdf(render_to_string("reports/report.html", context))


def report_fingerprint(assessment, today):
    """Everything the report of this assessment depends on; any edit changes it."""
    client = assessment.client
    earlier = client.assessments.filter(assessed_on__lte=assessment.assessed_on).aggregate(
        count=Count("pk"), changed=Max("updated_at")
    )
    programme = client.programmes.current().annotate(
        logs_count=Count("logs", distinct=True), last_log=Max("logs__pk"), resumes_count=Count("resumes", distinct=True)
    ).values_list("pk", "plan__updated_at", "logs_count", "last_log", "resumes_count").first()
    logo = getattr(client.trainer, "logo", None)
    parts = [
        REPORT_VERSION, today.isoformat(), assessment.pk, assessment.version,
        assessment.updated_at.isoformat(), client.updated_at.isoformat(), client.trainer.updated_at.isoformat(),
        logo.updated_at.isoformat() if logo else "", earlier["count"], str(earlier["changed"]), str(programme),
    ]
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def cached_report(etag, build_context):
    """The PDF for this fingerprint: drawn once, then served from the cache."""
    key = f"report:{etag}"
    pdf = django_cache.get(key)
    if pdf is None:
        pdf = render_report(build_context())
        django_cache.set(key, pdf, timeout=60 * 60 * 24)
    return pdf

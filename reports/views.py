from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

import audit
from accounts.models import TrainerLogo
from assessments.access import get_assessment_for_trainer
from programmes.models import current_programme_of
from config.http import client_address, private
from clients.models import ShareLink

from .calendar import her_calendar
from .pdf import cached_report, report_fingerprint
from .progress import client_progress

BAD_TOKEN_LIMIT = 20  # per address, per BAD_TOKEN_WINDOW seconds
BAD_TOKEN_WINDOW = 10 * 60


def throttled(request):
    return cache.get(f"bad-token:{client_address(request)}", 0) >= BAD_TOKEN_LIMIT


def count_bad_token(request):
    key = f"bad-token:{client_address(request)}"
    cache.add(key, 0, BAD_TOKEN_WINDOW)
    cache.incr(key)


def link_or_refusal(request, token):
    """(link, None) for a usable link; else (None, response). Revoked, expired and unknown
    links get the very same 404, so a link's existence cannot be probed. An address that
    keeps guessing is told to wait; a real link still works from it (a proxy may share it)."""
    link = ShareLink.objects.find(token)
    if link is not None:
        return link, None
    if throttled(request):
        return None, private(render(request, "reports/not_found.html", {"throttled": True}, status=429))
    count_bad_token(request)
    return None, private(render(request, "reports/not_found.html", status=404))


@require_safe
def progress(request, token):
    link, refusal = link_or_refusal(request, token)
    if refusal:
        return refusal
    context = client_progress(link.client)
    audit.record_link(request, link.client, "link_viewed_progress")
    calendar_url = request.build_absolute_uri(reverse("reports:calendar", args=[token]))
    context.update(token=token, logo_url=TrainerLogo.url_for(link.client.trainer), calendar_url=calendar_url,
                   webcal_url="webcal://" + calendar_url.split("://", 1)[1])
    return private(render(request, "reports/progress.html", context))


def pdf_response(request, assessment):
    today = timezone.localdate()
    etag = report_fingerprint(assessment, today)
    quoted = f'"{etag}"'
    if request.headers.get("If-None-Match") == quoted:
        response = HttpResponse(status=304)
    else:
        def build_context():
            context = client_progress(assessment.client, assessment, today)
            context["logo_url"] = TrainerLogo.url_for(assessment.client.trainer)
            return context

        pdf = cached_report(etag, build_context, assessment.client_id)
        response = HttpResponse(pdf, content_type="application/pdf")
        filename = f"restride-report-{assessment.assessed_on:%Y-%m-%d}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["ETag"] = quoted
    return private(response)


@require_safe
def progress_pdf(request, token, assessment_pk):
    link, refusal = link_or_refusal(request, token)
    if refusal:
        return refusal
    assessment = get_object_or_404(link.client.assessments.select_related("client__trainer"), pk=assessment_pk)
    audit.record_link(request, link.client, "link_viewed_report", assessment)
    return pdf_response(request, assessment)


@require_safe
def calendar_feed(request, token):
    """Her sessions and next reassessment for her phone's calendar; it follows pauses and corrections."""
    link, refusal = link_or_refusal(request, token)
    if refusal:
        return refusal
    client = link.client
    latest = client.assessments.first()
    if latest is not None:
        latest.client = client
    programme = current_programme_of(client, latest)
    feed = her_calendar(client, programme, latest, timezone.localdate())
    audit.record_link(request, client, "link_viewed_calendar")
    response = HttpResponse(feed, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="running-sessions.ics"'
    return private(response)


@login_required
@require_safe
def trainer_pdf(request, pk):
    assessment = get_assessment_for_trainer(request, pk)
    audit.record(request, assessment.client, "viewed_report", assessment)
    return pdf_response(request, assessment)

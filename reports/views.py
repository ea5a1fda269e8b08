from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_safe

import audit
from accounts.limits import hit
from accounts.models import TrainerLogo
from assessments.access import get_assessment_for_trainer
from config.http import absolute_url, client_address, csrf_cookie_on_this_path, private
from programmes.card import just_logged
from programmes.forms import HerSessionLogForm
from programmes.models import AlreadyLogged, ProgrammeRefused, current_programme_of
from clients.models import ShareLink

from .calendar import her_calendar
from .pdf import report_of, report_pdf
from .progress import client_progress, her_logging_refusal, her_top

BAD_TOKEN_LIMIT = 20  # per address, per BAD_TOKEN_WINDOW seconds
BAD_TOKEN_WINDOW = 10 * 60
LINK_WRITE_LIMIT = 12  # session logs posted through one link, per LINK_WRITE_WINDOW seconds
LINK_WRITE_WINDOW = 60 * 60


def bad_token_counter(request):
    return f"bad-token:{client_address(request)}"


def too_many(response, seconds):
    response["Retry-After"] = str(seconds)
    return response


def link_or_refusal(request, token):
    """(link, None) for a usable link; else (None, response). Revoked, expired and unknown
    links get the very same 404, so a link's existence cannot be probed. An address that
    keeps guessing is told to wait; a real link still works from it (a proxy may share it)."""
    link = ShareLink.objects.find(token)
    if link is not None:
        return link, None
    if seconds := hit(bad_token_counter(request), BAD_TOKEN_LIMIT, BAD_TOKEN_WINDOW):
        return None, private(too_many(render(request, "reports/not_found.html", {"throttled": True}, status=429), seconds))
    return None, private(render(request, "reports/not_found.html", status=404))


@require_safe
def progress(request, token):
    link, refusal = link_or_refusal(request, token)
    if refusal:
        return refusal
    client = link.client
    audit.record_link(request, client, "link_viewed_progress")
    # Drawn for each visit, never kept in a cache: the page holds her link (its calendar address),
    # which is stored nowhere in plain text.
    context = client_progress(client)
    context["top"] = her_top(client, context["programme"], context["latest"], context["today"], just_logged(request))
    calendar_url = request.build_absolute_uri(reverse("reports:calendar", args=[token]))
    context.update(token=token, logo_url=TrainerLogo.url_for(client.trainer), calendar_url=calendar_url,
                   webcal_url="webcal://" + calendar_url.split("://", 1)[1])
    return private(render(request, "reports/progress.html", context))



def pdf_response(request, assessment):
    report = report_of(assessment, timezone.localdate())
    quoted = f'"{report.key}"'  # derived from what the report shows (reports/pdf.py report_key)
    if request.headers.get("If-None-Match") == quoted:
        response = HttpResponse(status=304)
    else:
        pdf = report_pdf(report)
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


def form_page(response):
    """Her log page: private, but its own form must post back with an Origin header. Under
    "no-referrer" a browser sends "Origin: null", which Django's CSRF check refuses; with
    "same-origin" nothing leaves this site and the form's own origin is sent."""
    response = private(response)
    response["Referrer-Policy"] = "same-origin"
    return response


@csrf_cookie_on_this_path
@require_http_methods(["GET", "HEAD", "POST"])
def her_log(request, token):
    """She logs a session from her phone: the trainer's operation (Programme.log_session), so the
    same progression rules run at once and a repeated post is "Already logged". Her link's
    guards apply (revoked, expired, consent withdrawn, archived: the same 404); a refer, a pause,
    a finished programme or her trainer turning it off say why; posts are limited per link."""
    link, refusal = link_or_refusal(request, token)
    if refusal:
        return refusal
    client = link.client
    if request.method in ("GET", "HEAD"):
        audit.record_link(request, client, "link_viewed_log_page")
    latest = client.assessments.first()
    programme = current_programme_of(client, latest)
    context = {"client": client, "trainer": client.trainer, "token": token, "programme": programme}
    if request.method == "POST" and (seconds := hit(link.write_counter, LINK_WRITE_LIMIT, LINK_WRITE_WINDOW)):
        return form_page(too_many(render(request, "reports/log.html", {**context, "refusal": (
            "You have logged a lot of sessions in the last hour: please wait a while and try again.")}, status=429),
            seconds))
    if refusal := her_logging_refusal(client, programme):
        status = 409 if request.method == "POST" else 200
        return form_page(render(request, "reports/log.html", {**context, "refusal": refusal}, status=status))
    form = HerSessionLogForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            log, outcome = programme.log_session(by=None, by_client=True, sequence=form.cleaned_data["sequence"],
                                                 position=form.position, **form.log_fields())
        except AlreadyLogged as already:
            context["refusal"] = str(already)
        except ProgrammeRefused:
            context["refusal"] = "Your programme has moved on since this page opened: check your next session and log again."
        else:
            audit.record_link(request, client, "link_logged_session", f"Week {log.week}, session {log.session_number}")
            if outcome.alert:
                programme.email_trainer_about_pause(absolute_url(request, client.get_absolute_url()))
            return redirect(f"{reverse('reports:progress', args=[token])}?logged={log.sequence}#top")
        programme = current_programme_of(client)
        if her_logging_refusal(client, programme):
            return form_page(render(request, "reports/log.html", {**context, "programme": programme}, status=409))
        form = HerSessionLogForm(programme=programme)
    session = programme.next_session
    context.update(form=form, programme=programme, session=session, session_words=session.in_words() if session else "")
    return form_page(render(request, "reports/log.html", context))

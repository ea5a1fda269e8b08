from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_safe

import audit
from accounts.limits import count, wait
from accounts.models import TrainerLogo
from assessments.access import get_assessment_for_trainer
from config.http import absolute_url, client_address, csrf_cookie_on_this_path, private, query_number
from programmes.card import just_logged
from programmes.forms import HerSessionLogForm
from programmes.models import AlreadyLogged, ProgrammeRefused, current_programme_of
from programmes.strength import StrengthRefused, current_strength_plan, paused_words
from programmes.strength_forms import TickForm
from programmes.strength_rules import SYMPTOM_ADVICE_FOR_HER, tick_outcome
from clients.models import ShareLink

from .calendar import her_calendar
from .pdf import report_of, report_pdf
from .progress import client_progress, her_logging_refusal, her_strength_refusal, her_top

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
    if seconds := wait(bad_token_counter(request), BAD_TOKEN_LIMIT):
        return None, private(too_many(render(request, "reports/not_found.html", {"throttled": True}, status=429), seconds))
    count(bad_token_counter(request), BAD_TOKEN_WINDOW)
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
    context.update(her_strength_context(client, query_number(request, "ticked"), plan=context["strength_plan"]))
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


def link_write_throttled(request, link, template, context):
    """Count a post through her link (her run log and her strength ticks share the count); the
    page saying to wait once there have been too many, else None."""
    if request.method != "POST":
        return None
    if seconds := wait(link.write_counter, LINK_WRITE_LIMIT):
        return form_page(too_many(render(request, template, {**context, "refusal": (
            "You have logged a lot of sessions in the last hour: please wait a while and try again.")}, status=429),
            seconds))
    count(link.write_counter, LINK_WRITE_WINDOW)
    return None


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
    if throttled := link_write_throttled(request, link, "reports/log.html", context):
        return throttled
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


def her_strength_context(client, ticked=None, plan=False):
    """Her strength section; `ticked`: the number of the session she has just ticked (?ticked=N),
    whose outcome in her words is shown (a number naming none of her plan's sessions shows none).
    `plan`: her current strength plan when the caller has loaded it (None: she has none)."""
    if plan is False:
        plan = current_strength_plan(client)
    outcome = None
    if plan is not None and ticked is not None:
        symptoms = plan.logs.filter(sequence=ticked).values_list("symptoms", flat=True).first()
        outcome = tick_outcome(symptoms) if symptoms is not None else None
    return {"strength_plan": plan, "strength_paused": paused_words(client, "client"),
            "strength_can_tick": plan is not None and not her_strength_refusal(client, plan),
            "strength_advice": SYMPTOM_ADVICE_FOR_HER, "strength_outcome": outcome}


@csrf_cookie_on_this_path
@require_http_methods(["GET", "HEAD", "POST"])
def her_strength(request, token):
    """She ticks a strength session done from her phone: the same guards as her run log (her_log):
    her link usable, posts limited per link, exactly once (the form carries the plan's next number),
    refused while a red flag is open (saying whom to see) or her trainer logs for her."""
    link, refusal = link_or_refusal(request, token)
    if refusal:
        return refusal
    client = link.client
    if request.method in ("GET", "HEAD"):
        audit.record_link(request, client, "link_viewed_log_page", "Strength work")
    context = {"client": client, "trainer": client.trainer, "token": token, **her_strength_context(client)}
    plan = context["strength_plan"]
    if throttled := link_write_throttled(request, link, "reports/strength.html", context):
        return throttled
    if refusal := her_strength_refusal(client, plan):
        status = 409 if request.method == "POST" else 200
        return form_page(render(request, "reports/strength.html", {**context, "refusal": refusal}, status=status))
    today = timezone.localdate()
    form = TickForm(request.POST or None, initial={"sequence": plan.log_sequence + 1, "done_on": today})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            log = plan.tick(sequence=form.cleaned_data["sequence"], done_on=form.cleaned_data["done_on"], by_client=True,
                            symptoms=form.cleaned_data["symptoms"])
        except StrengthRefused as refused:
            context["refusal"], status = str(refused), 409
            form = TickForm(initial={"sequence": plan.log_sequence + 1, "done_on": today})
        else:
            audit.record_link(request, client, "link_logged_session", f"Strength session {log.sequence}")
            return redirect(f"{reverse('reports:progress', args=[token])}?ticked={log.sequence}#strength")
    elif request.method == "POST":
        status = 400
    context["form"] = form
    return form_page(render(request, "reports/strength.html", context, status=status))

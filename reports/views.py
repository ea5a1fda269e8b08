import json
import zoneinfo
from contextlib import nullcontext
from functools import cache
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

import audit
from accounts.limits import hit
from accounts.models import Studio, StudioLogo, Trainer
from assessments.access import get_assessment_for_trainer
from audit.models import AccessEvent
from clients.models import Client, ShareLink, findable_hash, usable_sql
from lib.http import absolute_url, client_address, csrf_cookie_on_this_path, private, query_number
from lib.queries import Written, converted, read_one
from lib.urls import addresses
from programmes.forms import HerSessionLogForm
from programmes.models import AlreadyLogged, ProgrammeRefused, current_programme_of
from programmes.snapshot import current_snapshot
from programmes.strength import StrengthPlan, StrengthRefused, current_strength_plan, paused_words
from programmes.strength_forms import TickForm
from programmes.strength_rules import SYMPTOM_ADVICE_FOR_HER, tick_outcome

from . import unsubscribe
from .calendar import her_calendar
from .her_words import her_logging_refusal, her_strength_refusal
from .pdf import report_of, report_pdf
from .progress import her_page

BAD_TOKEN_LIMIT = 20  # per address, per BAD_TOKEN_WINDOW seconds
BAD_TOKEN_WINDOW = 10 * 60
LINK_WRITE_LIMIT = 12  # session logs posted through one link, per LINK_WRITE_WINDOW seconds
LINK_WRITE_WINDOW = 60 * 60
TOO_MANY_WRITES = "You have logged a lot of sessions in the last hour: please wait a while and try again."


def bad_token_counter(request):
    return f"bad-token:{client_address(request)}"


def too_many(response, seconds):
    response["Retry-After"] = str(seconds)
    return response


# Whether she has a current strength plan, riding on her link's query: her page reads the plan (with
# its counts, a query) only then. One indexed EXISTS on her id, written as SQL as her trainer's page
# writes its facts (practice/views.py PAGE_FACTS): Exists() costs about as much to compile as it saves.
HAS_STRENGTH_PLAN = RawSQL(
    f'EXISTS (SELECT 1 FROM "{StrengthPlan._meta.db_table}" U0 WHERE U0."client_id" = "{Client._meta.db_table}"."id" '
    'AND U0."ended_at" IS NULL)', (), output_field=BooleanField())


@cache  # the tables' columns do not change while running
def _page_link_statement():
    link, client = Written(ShareLink), Written(Client)  # named for themselves, as HAS_STRENGTH_PLAN names her row
    lead, studio, logo = Written(Trainer, "lead"), Written(Studio, "studio"), Written(StudioLogo, "logo")
    sql = (f"SELECT {link.columns}, {client.columns}, {lead.columns}, {studio.columns}, {logo.columns}, {HAS_STRENGTH_PLAN.sql} "
           f'FROM {link.table} INNER JOIN {client.table} ON {client.alias}."id" = {link.alias}."client_id" '
           f'INNER JOIN {lead.table} ON lead."id" = {client.alias}."trainer_id" '
           f'INNER JOIN {studio.table} ON studio."id" = {client.alias}."studio_id" '
           f'LEFT OUTER JOIN {logo.table} ON logo."studio_id" = studio."id" '
           f'WHERE {link.alias}."token_hash" = %s AND {usable_sql(link.alias, client.alias)} LIMIT 1')
    return (link, client, lead, studio, logo), sql


def link_for_page(token):
    """Her usable link for her page, or None: what
    ShareLink.objects.select_related("client__studio__logo").annotate(has_strength_plan=HAS_STRENGTH_PLAN).find(token)
    reads (her row, her lead trainer, her studio and its logo; whether she has a current strength
    plan, on the link and on her row), in the same statement, written out: compiling it through the
    ORM cost her page about as much CPU as the rest of her link's read. The same guards: looked up by
    the token's hash (findable_hash), usable as usable() says (usable_sql), so revoked, expired and
    unknown links, and hers once her consent is withdrawn or she is archived (or erased: no row), are
    all None alike."""
    if (token_hash := findable_hash(token)) is None:
        return None
    (link, client, lead, studio, logo), sql = _page_link_statement()
    row = read_one(sql, [token_hash, timezone.localdate()], link, client, lead, studio, logo)
    if row is None:
        return None
    found, her, lead_row, studio_row, logo_row, (has_strength_plan,) = row
    # Related rows as select_related() leaves them: her studio's logo, or None for a studio without
    # one (its columns all NULL; StudioLogo.url_of reads either without a query), and the logo's studio.
    Studio._meta.get_field("logo").set_cached_value(studio_row, logo_row)
    if logo_row is not None:
        StudioLogo._meta.get_field("studio").set_cached_value(logo_row, studio_row)
    her.trainer, her.studio = lead_row, studio_row
    found.client = her
    found.has_strength_plan = her.has_strength_plan = converted(HAS_STRENGTH_PLAN, has_strength_plan, connections[DEFAULT_DB_ALIAS])
    return found


def link_or_refusal(request, token, page=False, latest=False):
    """(link, None) for a usable link; else (None, response). Revoked, expired and unknown
    links get the very same 404, so a link's existence cannot be probed. An address that
    keeps guessing is told to wait; a real link still works from it (a proxy may share it).
    `page`: for her page, her studio's logo (StudioLogo.url_of) and whether she has a current
    strength plan (her row's has_strength_plan) read with it (link_for_page). `latest`: her latest
    assessment read with her row (Client.latest_assessment), so her programme is read without her row
    again (current_programme_of); not with `page`."""
    if page:
        link = link_for_page(token)
    else:
        link = (ShareLink.objects.select_related("client__latest_assessment") if latest else ShareLink.objects).find(token)
    if link is not None:
        return link, None
    if seconds := hit(bad_token_counter(request), BAD_TOKEN_LIMIT, BAD_TOKEN_WINDOW):
        return None, private(too_many(render(request, "reports/not_found.html", {"throttled": True}, status=429), seconds))
    return None, private(render(request, "reports/not_found.html", status=404))


@require_safe
def progress(request, token):
    link, refusal = link_or_refusal(request, token, page=True)
    if refusal:
        return refusal
    client = link.client
    audit.record_link(request, client, "link_viewed_progress")
    # Drawn for each visit, never kept in a cache: the page holds her link (its calendar address),
    # which is stored nowhere in plain text.
    # ?logged=N after she logged a session: its outcome at the top of her page.
    context = her_page(client, query_number(request, "logged"))
    report_url = addresses("reports:progress_pdf", token)  # each check-up's report, reversed once
    for check_up in context["timeline"]:
        check_up["report_url"] = report_url(check_up["assessment"].pk)
    calendar_url = request.build_absolute_uri(reverse("reports:calendar", args=[token]))
    context.update(token=token, logo_url=StudioLogo.url_of(client.studio), calendar_url=calendar_url,
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
    assessment = get_object_or_404(link.client.assessments.select_related("client__trainer", "client__studio"), pk=assessment_pk)
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
    today = timezone.localdate()
    feed = her_calendar(client, current_snapshot(client, today, latest), latest, today)
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


def count_link_post(request, link):
    """Count a post through her link (her run log, her strength ticks and her reminder switch share
    the count): the seconds to wait once there have been too many, else 0."""
    return (hit(link.write_counter, LINK_WRITE_LIMIT, LINK_WRITE_WINDOW) or 0) if request.method == "POST" else 0


def too_many_posts(request, template, context, seconds, key="refusal", message=TOO_MANY_WRITES):
    """The page saying to wait (429, Retry-After), its message where the page shows a refusal."""
    return form_page(too_many(render(request, template, {**context, key: message}, status=429), seconds))


def link_write_throttled(request, link, template, context):
    """Count a post through her link; the page saying to wait once there have been too many, else None."""
    if seconds := count_link_post(request, link):
        return too_many_posts(request, template, context, seconds)
    return None


def form_page(response):
    """Her log page: private, but its own form must post back with an Origin header. Under
    "no-referrer" a browser sends "Origin: null", which Django's CSRF check refuses; with
    "same-origin" nothing leaves this site and the form's own origin is sent."""
    response = private(response)
    response["Referrer-Policy"] = "same-origin"
    return response


def current_with_snapshot(client, latest=None, lock=False):
    """Her current programme, to log on (None: she has none) and its snapshot as of today (programmes/snapshot.py):
    her log page shows only its next session, whose blocks the snapshot reads (one query). `lock`: its row
    locked until the transaction under way ends (her log is written from it as read)."""
    programme = current_programme_of(client, latest, blocks=False, lock=lock)
    return programme, programme.snapshot(timezone.localdate()) if programme else None


@csrf_cookie_on_this_path
@require_http_methods(["GET", "HEAD", "POST"])
def her_log(request, token):
    """She logs a session from her phone: the trainer's operation (Programme.log_session), so the
    same progression rules run at once and a repeated post is "Already logged". Her link's
    guards apply (revoked, expired, consent withdrawn, archived: the same 404); a refer, a pause,
    a finished programme or her trainer turning it off say why; posts are limited per link."""
    posted = request.method == "POST"
    # A page: her latest assessment read with her link, her programme then without her row again.
    link, refusal = link_or_refusal(request, token, latest=not posted)
    if refusal:
        return refusal
    client = link.client
    if not posted:
        audit.record_link(request, client, "link_viewed_log_page")
    # A post is counted first, on its own, whatever becomes of it.
    seconds = count_link_post(request, link)
    logged = None
    # A post reads her programme with its row locked, in the transaction her log is written in: the
    # log is written from the programme as read here (log_session(locked=True)), not read again.
    with transaction.atomic() if posted else nullcontext():
        # Her latest assessment read with her programme. A post asks the programme itself whether
        # she may log (her page, after the redirect, draws it); the page, and a post that goes back
        # to it, its snapshot.
        programme = current_programme_of(client, blocks=False, lock=posted)
        snapshot = programme.snapshot(timezone.localdate()) if programme and not posted else programme
        context = {"client": client, "trainer": client.trainer, "studio": client.studio, "token": token, "programme": programme}
        if seconds:
            return too_many_posts(request, "reports/log.html", context, seconds)
        if refusal := her_logging_refusal(client, snapshot):
            status = 409 if posted else 200
            return form_page(render(request, "reports/log.html", {**context, "refusal": refusal}, status=status))
        form = HerSessionLogForm(request.POST or None, programme=programme)
        if posted and form.is_valid():
            try:
                logged = programme.log_session(by=None, by_client=True, sequence=form.cleaned_data["sequence"],
                                               position=form.position, locked=True, **form.log_fields())
            except AlreadyLogged as already:
                context["refusal"] = str(already)
            except ProgrammeRefused:
                context["refusal"] = "Your programme has moved on since this page opened: check your next session and log again."
            if logged is None:
                programme, snapshot = current_with_snapshot(client)
                if her_logging_refusal(client, snapshot):
                    return form_page(render(request, "reports/log.html", {**context, "programme": programme}, status=409))
                form = HerSessionLogForm(programme=programme)
        if logged is None:
            if snapshot is programme:
                snapshot = programme.snapshot(timezone.localdate())
            session = snapshot.next_session
            context.update(form=form, programme=programme, session=session, session_words=session.in_words() if session else "")
            return form_page(render(request, "reports/log.html", context))
    log, outcome = logged
    audit.record_link(request, client, "link_logged_session", f"Week {log.week}, session {log.session_number}")
    if outcome.alert:
        programme.email_trainer_about_pause(absolute_url(request, client.get_absolute_url()))
    return redirect(f"{reverse('reports:progress', args=[token])}?logged={log.sequence}#top")


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
    context = {"client": client, "trainer": client.trainer, "studio": client.studio, "token": token, **her_strength_context(client)}
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


TIME_ZONES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})


@csrf_cookie_on_this_path
@require_http_methods(["GET", "HEAD", "POST"])
def her_reminders(request, token):
    """She turns email reminders on or off herself (her consent to them), and says her time zone
    for the quiet hours. The same guards as her other pages; the POST asks for a state ("on" /
    "off"), so a repeated post changes nothing twice."""
    link, refusal = link_or_refusal(request, token)
    if refusal:
        return refusal
    client = link.client
    context = {"client": client, "trainer": client.trainer, "studio": client.studio, "token": token, "time_zones": TIME_ZONES}
    error = ""
    if request.method in ("GET", "HEAD"):
        audit.record_link(request, client, "link_viewed_reminders")
    if seconds := count_link_post(request, link):
        return too_many_posts(request, "reports/reminders.html", context, seconds, key="error",
                              message="You have changed this a lot in the last hour: please wait a while and try again.")
    if request.method == "POST":
        wanted, zone = request.POST.get("reminders"), request.POST.get("time_zone", client.time_zone)
        if wanted not in ("on", "off") or zone not in TIME_ZONES:
            error = "Choose whether you want reminders, and your time zone from the list."
        elif wanted == "on" and not client.email:
            error = "Your trainer has no email address for you: ask them to add it, then turn reminders on."
        else:
            if zone != client.time_zone:
                Client.objects.filter(pk=client.pk).update(time_zone=zone)
            if client.set_reminders(wanted == "on", by_her=True):
                audit.record_link(request, client, f"link_reminders_{wanted}")
            return redirect(f"{reverse('reports:reminders', args=[token])}?saved={wanted}")
    saved = request.GET.get("saved") if request.GET.get("saved") in ("on", "off") else ""
    return form_page(render(request, "reports/reminders.html", {**context, "error": error, "saved": saved},
                            status=400 if error else 200))


def unsubscribed_whom(token):
    who = unsubscribe.read(token)
    if who is None:
        return None, None
    if "c" in who:
        return Client.objects.select_related("trainer", "studio").filter(pk=who["c"]).first(), None
    return None, Trainer.objects.filter(pk=who["t"]).first()


@csrf_exempt  # RFC 8058: the mail app's one-click POST carries no CSRF token; the signed token is the proof
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_page(request, token):
    """One click stops reminder emails, without signing in: a GET shows a button (a link
    scanner that opens it changes nothing), a POST (the button, or the mail app's
    List-Unsubscribe-Post) stops them and is logged."""
    client, trainer = unsubscribed_whom(token)
    if client is None and trainer is None:
        return private(render(request, "reports/not_found.html", status=404))
    done = False
    if request.method == "POST":
        if client is not None:
            if client.set_reminders(False, by_her=True):
                audit.record_link(request, client, "reminders_unsubscribed")
        elif trainer.daily_digest:
            Trainer.objects.filter(pk=trainer.pk).update(daily_digest=False)
            AccessEvent.objects.create(trainer=trainer, studio_id=trainer.studio_id, kind="reminders_unsubscribed", target="Daily digest",
                                       address=client_address(request))
        done = True
    return private(render(request, "reports/unsubscribe.html", {"done": done, "token": token, "digest": trainer is not None}))


SERVICE_WORKER = (Path(__file__).resolve().parent.parent / "static" / "js" / "her-sw.js").read_text()


@require_safe
def service_worker(request, token):
    """Her link's service worker, served from her link's own path: its scope is that path and
    nothing else (never a trainer's page). Behind the link's guards: a revoked link has none."""
    link, refusal = link_or_refusal(request, token)
    if refusal:
        return refusal
    response = HttpResponse(SERVICE_WORKER, content_type="text/javascript; charset=utf-8")
    return private(response)


@require_safe
def manifest(request, token):
    """Her page, installable on her home screen, opening at her page and staying in her link's path."""
    link, refusal = link_or_refusal(request, token)
    if refusal:
        return refusal
    scope = reverse("reports:progress", args=[token])
    data = {"name": f"Running with {link.client.letterhead_name}", "short_name": "My running",
            "start_url": scope, "scope": scope, "display": "standalone", "background_color": "#ffffff",
            "theme_color": "#1f6f6b", "icons": [{"src": static("img/logo.svg"), "sizes": "any", "type": "image/svg+xml"}]}
    return private(HttpResponse(json.dumps(data), content_type="application/manifest+json"))

from contextlib import nullcontext
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

import audit
from assessments.access import get_assessment_for_trainer
from clients.access import consent_missing, get_client_for_trainer
from clients.forms import ShareLinkForm
from clients.models import weeks_between
from guideline import protocol
from lib.http import HtmxHttpRequest

from . import progression
from .card import card_context, red_flag_rows
from .forms import AssignForm, CorrectLogForm, DeleteLogForm, OverrideForm, ResumeForm, SessionLogForm
from .models import Plan, Programme, ProgrammeRefused, RedFlagNotConfirmed, SessionLog, running_decision_for, with_sessions

HISTORY_PAGE_SIZE = 50  # events of a programme's history a page


def get_programme_for_trainer(request, pk, blocks=True, lock=False):
    """Her current programme: an ended one is history, not something to log against. `blocks`:
    every session's blocks too (a card drawn from it reads only its next session's otherwise);
    `lock`: its row locked until the transaction under way ends (a log is written from it as read)."""
    return get_object_or_404(Programme.objects.for_trainer(request.user).current().with_progress(blocks=blocks)
                             .with_latest_assessment().locked(lock), pk=pk)


def get_any_programme_for_trainer(request, pk):
    """Any of her clients' programmes, current or ended: its history, or reopening it."""
    return get_object_or_404(Programme.objects.for_trainer(request.user).select_related("client", "plan"), pk=pk)


def get_log_for_trainer(request, pk, log_pk):
    programme = get_programme_for_trainer(request, pk)
    log = next((log for log in programme.logs.all() if log.pk == log_pk), None)
    if log is None:
        raise Http404("No such session on this programme.")
    return programme, log


def card_url(programme, **query):
    """Her page, scrolled to the programme card (where an outcome or a refusal is shown)."""
    suffix = "?" + urlencode(query) if query else ""
    return f"{programme.client.get_absolute_url()}{suffix}#programme"


@login_required
def programme_assign(request, client_pk):
    client = get_client_for_trainer(request, client_pk)
    if refusal := consent_missing(request, client):
        return refusal
    if client.programmes.current().exists():
        messages.error(request, "She already has a programme. End it before assigning another.")
        return redirect(client)
    latest = client.assessments.first()
    form = AssignForm(request.POST or None, trainer=request.user, client=client, latest=latest)
    carried_over = form.decision.code == "carried_over"  # the page asks her trainer to confirm them
    if not (form.decision.allowed or form.decision.overridable or carried_over):
        messages.error(request, form.decision.reason)  # no override can start running now
        return redirect(client)
    if request.method == "POST" and not carried_over and form.is_valid():
        template = form.cleaned_data["plan"]
        try:
            Programme.assign(
                client=client, template=template, start_date=form.cleaned_data["start_date"], by=request.user,
                override_reason=form.cleaned_data["override_reason"], override_items=form.cleaned_data["override_items"],
            )
        except ProgrammeRefused as refused:  # her record changed since the form was shown (a red flag logged)
            messages.error(request, str(refused))
            return redirect(client)
        audit.record(request, client, "assigned_programme", template.name)
        messages.success(request, f"{template.name} assigned, starting {form.cleaned_data['start_date']:%-d %b %Y}.")
        if warnings := with_sessions(Plan.objects.filter(pk=template.pk)).get().warnings():
            messages.warning(request, f"{template.name} may rush her: {' '.join(warnings)} Her copy can be changed on her programme.")
        return redirect(f"{client.get_absolute_url()}#programme")
    templates = with_sessions(form.fields["plan"].queryset)
    context = {"client": client, "form": form, "latest": latest, "min_weeks": protocol.MIN_WEEKS_POSTPARTUM,
               "carried_over": carried_over,
               "template_warnings": [(plan, plan.warnings()) for plan in templates if plan.warnings()]}
    return render(request, "programmes/assign.html", context)


def render_card(request: HtmxHttpRequest, programme, **context):
    """The card alone for htmx; without JavaScript, the page that holds it."""
    template = "programmes/_card.html" if request.htmx else "programmes/log.html"
    return render(request, template, card_context(programme, **context))


@login_required
def session_log(request: HtmxHttpRequest, pk):
    """Log a session in a few taps, exactly once. Logging a symptom shows at once what to do
    and what happens to her programme next."""
    posted = request.method == "POST"
    # A post reads her programme with its row locked, in the transaction the log is written in: the
    # log is written from the programme as read here (log_session(locked=True)), not read again, and
    # its card is drawn from the programme as the log leaves it (no blocks but its next session's).
    with transaction.atomic() if posted else nullcontext():
        programme = get_programme_for_trainer(request, pk, blocks=not posted, lock=posted)
        if refusal := consent_missing(request, programme.client):
            return refusal
        audit.record_view(request, programme.client, "viewed_programme", "Log form")
        if not programme.can_log:
            refusal = programme.logging_refusal
            if request.htmx:
                return render(request, "programmes/_card.html", card_context(programme, refusal=refusal))
            messages.error(request, refusal)
            return redirect(card_url(programme))
        form = SessionLogForm(request.POST or None, programme=programme)
        if not (posted and form.is_valid()):
            return render_card(request, programme, form=form)
        try:
            log, outcome = programme.log_session(
                by=request.user, sequence=form.cleaned_data["sequence"], position=form.position, locked=True,
                **form.log_fields(),
            )
        except ProgrammeRefused as refused:  # already logged, or her position moved meanwhile
            return render_card(request, get_programme_for_trainer(request, pk), refusal=str(refused))
    audit.record(request, programme.client, "logged_session", f"Week {log.week}, session {log.session_number}")
    programme = log.programme  # as it stands after the log, loaded by the operation
    if request.htmx:
        return render(request, "programmes/_card.html", card_context(programme, outcome=outcome))
    # Her page shows this log's outcome at the top of the card, where #programme lands.
    return redirect(card_url(programme, logged=log.sequence))


def log_change_response(request: HtmxHttpRequest, pk, template, partial, context, done):
    """After a correction or deletion: with htmx the new card (her position re-derived) with
    `done` at its top; without, her page. A form with errors goes back where it was shown."""
    if done:
        programme = get_programme_for_trainer(request, pk)
        message = f"{done} Her programme: {programme.status_label}."
        if request.htmx:
            return render(request, "programmes/_card.html", card_context(programme, notice=message))
        messages.success(request, message)
        return redirect(card_url(programme))
    if request.htmx:
        # Shown inside the card's "Recent sessions": the form replaces itself there.
        response = render(request, f"{template}#{partial}", {**context, "inline": True})
        return reswap(retarget(response, "#log-change"), "innerHTML")
    return render(request, template, context)


@login_required
def log_correct(request: HtmxHttpRequest, pk, log_pk):
    """Correct what a logged session records, for a reason: her position follows."""
    programme, log = get_log_for_trainer(request, pk, log_pk)
    if refusal := consent_missing(request, programme.client):
        return refusal
    audit.record_view(request, programme.client, "viewed_programme", f"Correct week {log.week}, session {log.session_number}")
    form = CorrectLogForm(request.POST or None, programme=programme, log=log)
    done = ""
    if request.method == "POST" and form.is_valid():
        try:
            programme.correct_log(log, by=request.user, reason=form.cleaned_data["reason"],
                                  confirm_red_flag_removed=form.cleaned_data["confirm_red_flag_removed"],
                                  **form.changes())
            audit.record(request, programme.client, "corrected_session", f"Week {log.week}, session {log.session_number}")
            done = "Session corrected."
        except ProgrammeRefused as refused:
            form.add_error("confirm_red_flag_removed" if isinstance(refused, RedFlagNotConfirmed) else None, str(refused))
    context = {"programme": programme, "client": programme.client, "log": log, "form": form}
    return log_change_response(request, pk, "programmes/log_correct.html", "correction", context, done)


@login_required
def log_delete(request: HtmxHttpRequest, pk, log_pk):
    # No consent check, unlike log_correct: removing a wrong entry records nothing new about her
    # health, and after she withdraws consent it is how the record is put right (as for assessments).
    programme, log = get_log_for_trainer(request, pk, log_pk)
    audit.record_view(request, programme.client, "viewed_programme", f"Delete week {log.week}, session {log.session_number}")
    form = DeleteLogForm(request.POST or None)
    done = ""
    if request.method == "POST" and form.is_valid():
        try:
            programme.delete_log(log, by=request.user, reason=form.cleaned_data["reason"],
                                 confirm_red_flag_removed=form.cleaned_data["confirm_red_flag_removed"])
            audit.record(request, programme.client, "deleted_session", f"Week {log.week}, session {log.session_number}")
            done = "Session deleted."
        except ProgrammeRefused as refused:
            form.add_error("confirm_red_flag_removed" if isinstance(refused, RedFlagNotConfirmed) else None, str(refused))
    context = {"programme": programme, "client": programme.client, "log": log, "form": form}
    return log_change_response(request, pk, "programmes/log_delete.html", "deletion", context, done)


@login_required
@require_POST
def programme_resume(request, pk):
    programme = get_programme_for_trainer(request, pk)
    if refusal := consent_missing(request, programme.client):
        return refusal
    form = ResumeForm(request.POST)
    try:
        programme.resume(request.user, form.cleaned_data["note"] if form.is_valid() else "")
    except ProgrammeRefused as refused:  # a red flag still open, or the required note missing
        messages.error(request, str(refused))
    else:
        audit.record(request, programme.client, "resumed_programme")
        messages.success(request, "Programme resumed one week back, from session 1.")
    return redirect(card_url(programme))


@login_required
@require_POST
def programme_override(request, pk):
    """Carry on running although a newer assessment is "not yet", for a recorded reason."""
    programme = get_programme_for_trainer(request, pk)
    if refusal := consent_missing(request, programme.client):
        return refusal
    form = OverrideForm(request.POST)
    if form.is_valid() or not (programme.status == "held" and programme.running_decision.overridable):
        try:
            programme.record_override(request.user, form.cleaned_data.get("override_reason", ""))
        except ProgrammeRefused as refused:
            messages.error(request, str(refused))
        else:
            audit.record(request, programme.client, "recorded_override")
            messages.success(request, "Override recorded: she can carry on with her programme.")
    else:
        messages.error(request, form.errors["override_reason"][0])
    return redirect(card_url(programme))


@login_required
def programme_end(request, pk):
    """Ending asks first (a page of its own, so it works without JavaScript); it can be undone."""
    programme = get_programme_for_trainer(request, pk)
    audit.record_view(request, programme.client, "viewed_programme", "End page")
    if request.method == "POST":
        programme.end(request.user)
        audit.record(request, programme.client, "ended_programme")
        messages.success(request, "Programme ended. Her logs are kept; you can reopen it from her page, or assign a new one.")
        return redirect(programme.client)
    return render(request, "programmes/end.html", {"programme": programme, "client": programme.client})


@login_required
@require_POST
def programme_reopen(request, pk):
    programme = get_any_programme_for_trainer(request, pk)
    try:
        programme.reopen(request.user)
    except ProgrammeRefused as refused:
        messages.error(request, str(refused))
        return redirect(programme.client)
    audit.record(request, programme.client, "reopened_programme")
    messages.success(request, "Programme reopened: she carries on where her logs left her.")
    return redirect(card_url(programme))


@login_required
def programme_history(request, pk):
    """Everything recorded of her programme, oldest first, a page at a time: its latest page unless
    another is asked for, so the page costs the same however long its history (every correction
    and deletion is an event too)."""
    programme = get_any_programme_for_trainer(request, pk)
    audit.record(request, programme.client, "viewed_programme_history")
    paginator = Paginator(programme.history.select_related("by"), HISTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page") or paginator.num_pages)
    return render(request, "programmes/history.html",
                  {"programme": programme, "client": programme.client, "page": page, "events": page.object_list})


@login_required
def session_referral(request, log_pk):
    """A printable summary, for the clinician, of a red flag found in a session (she or her trainer
    logged it): what was reported, when, and what she was told."""
    # The studio's, like her page: every member works with her, not only her lead trainer (issue 26).
    log = get_object_or_404(SessionLog.objects.filter(programme__client__studio_id=request.user.studio_id)
                            .select_related("programme__client", "programme__plan", "logged_by"), pk=log_pk)
    if not log.has_red_flag:
        raise Http404("No red flag was logged in this session.")
    client = log.programme.client
    audit.record(request, client, "viewed_referral", f"Session of {log.done_on:%-d %b %Y}")
    return render(request, "programmes/session_referral.html", referral_context(client, log, programme=log.programme))


def referral_context(client, log, **extra):
    """What a session's referral summary shows: a run's (SessionLog) or a strength session's (StrengthLog)."""
    red_flags = [code for code in progression.RED_FLAG_SYMPTOMS if code in log.symptoms]
    findings = [(protocol.ITEMS[f"symptoms.{code}"].label, route.clinician)
                for code in red_flags for route in protocol.signposts_for_symptoms([code])]
    return {"client": client, "log": log, "findings": findings,
            "other_symptoms": [code for code in log.symptoms if code not in red_flags],
            "referral_to": protocol.referral_to(red_flags), "latest": client.assessments.first(),
            "weeks": weeks_between(client.baby_date_of_birth, log.done_on), "citation": protocol.GUIDELINE_CITATION,
            **extra}


@login_required
def assessment_summary(request, pk):
    """Where the studio's "Finish" leads: the verdict and what to do next, the programme
    step decided by the one rule for who may run."""
    assessment = get_assessment_for_trainer(request, pk, "recorded_by")  # its line under the heading names who
    client = assessment.client
    audit.record_view(request, client, "viewed_assessment", assessment)  # its verdict and reasons
    # Her row names her latest (kept with every change of hers): after Finish, this one.
    latest = assessment if assessment.pk == client.latest_assessment_id else client.assessments.first()
    context = {
        "assessment": assessment,
        "client": client,
        "later": latest if latest.pk != assessment.pk else None,
        "programme": client.programmes.current().select_related("plan").first(),
        "running_decision": running_decision_for(client, latest, timezone.localdate()),
        "red_flags": red_flag_rows(client),
        "share_link": client.share_links.usable().first(),
        "share_form": ShareLinkForm(),
    }
    return render(request, "assessments/summary.html", context)

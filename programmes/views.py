from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessments.views import consent_missing
import audit
from clients.access import HtmxHttpRequest, get_client_for_trainer

from . import progression
from .forms import AssignForm, ResumeForm, SessionLogForm
from .models import Programme, Resume


def current_programme(client, blocks=True):
    return client.programmes.current().with_progress(blocks).first()


def get_programme_for_trainer(request, pk):
    """Her current programme: an ended one is history, not something to log against."""
    return get_object_or_404(Programme.objects.for_trainer(request.user).current().with_progress(), pk=pk)


def card_context(programme, form=None, outcome=None):
    today = timezone.localdate()
    return {
        "programme": programme,
        "client": programme.client,
        "log_form": form or SessionLogForm(programme=programme, initial={"done_on": today}),
        "schedule": programme.schedule(today),
        "buggy_advice": programme.buggy_running_advice(today),
        "resume_form": ResumeForm(),
        "outcome": outcome,
    }


@login_required
def programme_assign(request, client_pk):
    client = get_client_for_trainer(request, client_pk)
    if refusal := consent_missing(request, client):
        return refusal
    if client.programmes.current().exists():
        messages.error(request, "She already has a programme. End it before assigning another.")
        return redirect(client)
    latest = client.assessments.first()
    if latest and latest.verdict == "refer":
        # Rule 1: a red flag means no running until she has been seen; no override.
        messages.error(request, "Her latest assessment found a red-flag symptom: no running programme until she has "
                                "seen her GP or a pelvic health physiotherapist and been reassessed.")
        return redirect(client)
    form = AssignForm(request.POST or None, trainer=request.user, client=client,
                      latest_verdict=latest.verdict if latest else None)
    if request.method == "POST" and form.is_valid():
        template = form.cleaned_data["plan"]
        Programme.objects.create(
            client=client,
            plan=template.copy(trainer=request.user, is_template=False),
            start_date=form.cleaned_data["start_date"],
            override_reason=form.cleaned_data.get("override_reason", ""),
            assigned_by=request.user,
        )
        audit.record(request, client, "assigned_programme", template.name)
        client.touch()
        messages.success(request, f"{template.name} assigned, starting {form.cleaned_data['start_date']:%-d %b %Y}.")
        return redirect(f"{client.get_absolute_url()}#programme")
    return render(request, "programmes/assign.html", {"client": client, "form": form, "latest": latest})


@login_required
def session_log(request: HtmxHttpRequest, pk):
    """Log a session in a few taps. Logging a symptom shows at once what to do and what
    happens to her programme next."""
    programme = get_programme_for_trainer(request, pk)
    if refusal := consent_missing(request, programme.client):
        return refusal
    state = programme.state
    if state.status != "active":
        messages.error(request, "This programme is not active: nothing can be logged until it is resumed.")
        return redirect(programme.client)
    form = SessionLogForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        log = form.save(commit=False)
        log.programme, log.week, log.session_number, log.logged_by = programme, state.week, state.session, request.user
        outcome = progression.outcome_of(state, log.as_event())
        log.save()
        audit.record(request, programme.client, "logged_session", f"Week {log.week}, session {log.session_number}")
        programme.client.touch()
        programme = get_programme_for_trainer(request, pk)
        if request.htmx:
            return render(request, "programmes/_card.html", card_context(programme, outcome=outcome))
        if log.has_symptoms:
            messages.warning(request, outcome.message)
        else:
            messages.success(request, outcome.message)
        return redirect(f"{programme.client.get_absolute_url()}#programme")
    if request.htmx:
        return render(request, "programmes/_card.html", card_context(programme, form=form))
    return render(request, "programmes/log.html", card_context(programme, form=form))


@login_required
@require_POST
def programme_resume(request, pk):
    programme = get_programme_for_trainer(request, pk)
    if refusal := consent_missing(request, programme.client):
        return refusal
    if programme.state.status != "paused":
        messages.error(request, "Only a paused programme can be resumed.")
    else:
        form = ResumeForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        Resume.objects.create(programme=programme, note=note, resumed_by=request.user)
        audit.record(request, programme.client, "resumed_programme")
        programme.client.touch()
        messages.success(request, "Programme resumed one week back, from session 1.")
    return redirect(f"{programme.client.get_absolute_url()}#programme")


@login_required
@require_POST
def programme_end(request, pk):
    programme = get_programme_for_trainer(request, pk)
    programme.ended_at = timezone.now()
    programme.save(update_fields=["ended_at"])
    audit.record(request, programme.client, "ended_programme")
    messages.success(request, "Programme ended. Her logs are kept; you can assign a new one.")
    return redirect(programme.client)

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessments import protocol
from assessments.views import consent_missing, get_assessment_for_trainer
from clients.access import HtmxHttpRequest, get_client_for_trainer
from clients.forms import ShareLinkForm

from . import progression
from .forms import AssignForm, OverrideForm, ResumeForm, SessionLogForm
from .models import Programme, Resume, running_decision_for


def current_programme(client, blocks=True):
    return client.programmes.current().with_progress(blocks).first()


def get_programme_for_trainer(request, pk):
    """Her current programme: an ended one is history, not something to log against."""
    return get_object_or_404(Programme.objects.for_trainer(request.user).current().with_progress(), pk=pk)


def card_context(programme, form=None, outcome=None, refusal=""):
    today = timezone.localdate()
    return {
        "refusal": refusal,
        "override_form": OverrideForm() if programme.status == "held" and programme.running_decision.overridable else None,
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
    form = AssignForm(request.POST or None, trainer=request.user, client=client, latest=latest)
    if not (form.decision.allowed or form.decision.overridable):
        messages.error(request, form.decision.reason)  # no override can start running now
        return redirect(client)
    if request.method == "POST" and form.is_valid():
        template = form.cleaned_data["plan"]
        Programme.objects.create(
            client=client,
            plan=template.copy(trainer=request.user, is_template=False),
            start_date=form.cleaned_data["start_date"],
            override_reason=form.cleaned_data["override_reason"],
            override_items=form.cleaned_data["override_items"],
            assigned_by=request.user,
        )
        client.touch()
        messages.success(request, f"{template.name} assigned, starting {form.cleaned_data['start_date']:%-d %b %Y}.")
        return redirect(f"{client.get_absolute_url()}#programme")
    context = {"client": client, "form": form, "latest": latest, "min_weeks": protocol.MIN_WEEKS_POSTPARTUM}
    return render(request, "programmes/assign.html", context)


@login_required
def session_log(request: HtmxHttpRequest, pk):
    """Log a session in a few taps. Logging a symptom shows at once what to do and what
    happens to her programme next."""
    programme = get_programme_for_trainer(request, pk)
    if refusal := consent_missing(request, programme.client):
        return refusal
    state = programme.state
    if not programme.can_log:
        refusal = logging_refusal(programme)
        if request.htmx:
            return render(request, "programmes/_card.html", card_context(programme, refusal=refusal))
        messages.error(request, refusal)
        return redirect(f"{programme.client.get_absolute_url()}#programme")
    form = SessionLogForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        log = form.save(commit=False)
        log.programme, log.week, log.session_number, log.logged_by = programme, state.week, state.session, request.user
        outcome = progression.outcome_of(state, log.as_event())
        log.save()
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
    elif not programme.can_resume:
        messages.error(request, f"It cannot be resumed yet. {programme.running_decision.reason}")
    else:
        form = ResumeForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        Resume.objects.create(programme=programme, note=note, resumed_by=request.user)
        programme.client.touch()
        messages.success(request, "Programme resumed one week back, from session 1.")
    return redirect(f"{programme.client.get_absolute_url()}#programme")


@login_required
@require_POST
def programme_override(request, pk):
    """Carry on running although a newer assessment is "not yet", for a recorded reason that
    covers exactly the items that assessment left unmet or untested."""
    programme = get_programme_for_trainer(request, pk)
    if refusal := consent_missing(request, programme.client):
        return refusal
    decision = programme.running_decision
    form = OverrideForm(request.POST)
    if programme.status != "held" or not decision.overridable:
        messages.error(request, "There is nothing to override: " + (decision.reason if not decision.allowed else "she may run."))
    elif not form.is_valid():
        messages.error(request, form.errors["override_reason"][0])
    else:
        dated = f"{timezone.localdate():%-d %b %Y}: {form.cleaned_data['override_reason']}"
        programme.override_reason = f"{programme.override_reason}\n{dated}".strip()[:1000]
        programme.override_items = sorted({*programme.override_items, *decision.override_items})
        programme.save(update_fields=["override_reason", "override_items"])
        programme.client.touch()
        messages.success(request, "Override recorded: she can carry on with her programme.")
    return redirect(f"{programme.client.get_absolute_url()}#programme")


def logging_refusal(programme):
    if programme.status == "held":
        return f"Nothing can be logged now. {programme.running_decision.reason}"
    if programme.status == "finished":
        return "This programme is finished: nothing more can be logged on it."
    return "This programme is paused: nothing can be logged until it is resumed."


@login_required
@require_POST
def programme_end(request, pk):
    programme = get_programme_for_trainer(request, pk)
    programme.ended_at = timezone.now()
    programme.save(update_fields=["ended_at"])
    messages.success(request, "Programme ended. Her logs are kept; you can assign a new one.")
    return redirect(programme.client)


@login_required
def assessment_summary(request, pk):
    """Where the studio's "Finish" leads: the verdict and what to do next, the programme
    step decided by the one rule for who may run."""
    assessment = get_assessment_for_trainer(request, pk)
    client = assessment.client
    latest = client.assessments.first()
    context = {
        "assessment": assessment,
        "client": client,
        "later": latest if latest.pk != assessment.pk else None,
        "programme": client.programmes.current().select_related("plan").first(),
        "running_decision": running_decision_for(client, latest, timezone.localdate()),
        "share_link": client.share_links.usable().first(),
        "share_form": ShareLinkForm(),
    }
    return render(request, "assessments/summary.html", context)

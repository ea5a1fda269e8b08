"""The walk–run template editor: built-in templates to view and duplicate, a trainer's own
templates and her clients' programme copies to edit week by week and session by session."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F, Max, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clients.access import HtmxHttpRequest

from .models import Plan, PlanBlock, PlanSession, Programme, format_duration, with_sessions
from .plan_forms import BlockFormSet, NewPlanForm, PlanForm, SessionForm, block_initial

MAX_WEEKS = 52
MAX_SESSIONS_PER_WEEK = 7
# A new template starts where "Walk–run foundations" does (DOMAIN.md): 6 × (run 1, walk 2).
NEW_TEMPLATE_BLOCK = {"run_seconds": 60, "walk_seconds": 120, "repeats": 6}


# --- Scoping: another trainer's plan is a 404, exactly like one that does not exist -----

def get_plan_for_editing(request, pk):
    return get_object_or_404(Plan.objects.editable_by(request.user), pk=pk)


def get_session_for_editing(request, pk):
    sessions = PlanSession.objects.filter(plan__in=Plan.objects.editable_by(request.user))
    return get_object_or_404(sessions.select_related("plan").prefetch_related("blocks"), pk=pk)


# --- What the templates show ---------------------------------------------------------------

@dataclass
class SessionSummary:
    session: PlanSession

    @property
    def warm_up(self):
        return format_duration(self.session.warm_up_seconds)

    @property
    def cool_down(self):
        return format_duration(self.session.cool_down_seconds)

    @property
    def running(self):
        return format_duration(self.session.running_seconds)

    @property
    def walking(self):
        return format_duration(self.session.walking_seconds)


@dataclass
class WeekSummary:
    number: int
    sessions: list[SessionSummary]

    @property
    def running(self):
        return format_duration(sum(s.session.running_seconds for s in self.sessions))

    @property
    def walking(self):
        return format_duration(sum(s.session.walking_seconds for s in self.sessions))


def summarise_weeks(plan):
    return [WeekSummary(week, [SessionSummary(s) for s in sessions]) for week, sessions in plan.weeks()]


def week_of(session):
    """The summary of the week a session belongs to, read afresh (after an edit)."""
    sessions = session.plan.sessions.filter(week=session.week).prefetch_related("blocks")
    return WeekSummary(session.week, [SessionSummary(s) for s in sessions])


def programme_client(plan):
    """The client whose programme this plan is, or None for a template."""
    programme = getattr(plan, "programme", None) if not plan.is_template else None
    return programme.client if programme else None


# --- Pages ---------------------------------------------------------------------------------

@login_required
def plan_list(request):
    form = NewPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        plan = create_template(request.user, form.cleaned_data["name"])
        messages.success(request, f"“{plan.name}” is created with one week and one session. Shape it below.")
        return redirect(plan)
    plans = (
        Plan.objects.templates_for(request.user)
        .annotate(
            week_count=Max("sessions__week"),
            running_total=Sum(F("sessions__blocks__run_seconds") * F("sessions__blocks__repeats")),
        )
        .order_by(F("trainer").asc(nulls_first=True), "name", "pk")
    )
    rows = [{"plan": plan, "running": format_duration(plan.running_total or 0)} for plan in plans]
    return render(request, "programmes/plan_list.html", {"rows": rows, "form": form, "nav": "plans"})


@transaction.atomic
def create_template(trainer, name):
    plan = Plan.objects.create(trainer=trainer, name=name, is_template=True)
    session = PlanSession.objects.create(plan=plan, week=1, number=1)
    PlanBlock.objects.create(session=session, position=1, **NEW_TEMPLATE_BLOCK)
    return plan


@login_required
def plan_detail(request, pk, details_form=None):
    plans = with_sessions(Plan.objects.viewable_by(request.user).select_related("programme__client"))
    plan = get_object_or_404(plans, pk=pk)
    editable = plan.trainer_id == request.user.pk
    weeks = summarise_weeks(plan)
    context = {
        "plan": plan,
        "weeks": weeks,
        "editable": editable,
        "client": programme_client(plan),
        "session_count": sum(len(week.sessions) for week in weeks),
        "running_total": format_duration(sum(s.session.running_seconds for w in weeks for s in w.sessions)),
        "details_form": details_form or (PlanForm(instance=plan) if editable else None),
        "max_weeks": MAX_WEEKS,
        "max_sessions": MAX_SESSIONS_PER_WEEK,
        "nav": "plans",
    }
    return render(request, "programmes/plan_detail.html", context)


@login_required
@require_POST
def plan_rename(request, pk):
    plan = get_plan_for_editing(request, pk)
    form = PlanForm(request.POST, instance=plan)
    if form.is_valid():
        form.save()
        messages.success(request, "The name and description are saved.")
        return redirect(plan)
    # Show the page again with her typing and the messages beside the fields.
    return plan_detail(request, pk, details_form=form)


@login_required
@require_POST
def plan_duplicate(request, pk):
    plan = get_object_or_404(Plan.objects.viewable_by(request.user), pk=pk)
    copy = plan.copy(trainer=request.user, name=f"{plan.name[: Plan._meta.get_field('name').max_length - 7]} (copy)")
    messages.success(request, f"This is your own copy of “{plan.name}”: change it as you like.")
    return redirect(copy)


@login_required
def plan_delete(request, pk):
    # Only her own templates: a client's copy goes with her programme, and built-ins stay.
    plan = get_object_or_404(Plan.objects.editable_by(request.user).filter(is_template=True), pk=pk)
    if request.method == "POST":
        name = plan.name
        plan.delete()
        messages.success(request, f"The template “{name}” is deleted. Clients' programmes made from it are unchanged.")
        return redirect("plans:list")
    return render(request, "programmes/plan_delete.html", {"plan": plan, "nav": "plans"})


# --- Weeks and sessions --------------------------------------------------------------------

def refuse_reached_week(request, plan, week):
    """A client's copy: weeks she has reached cannot gain or lose sessions, or her logged
    sessions would be read against a different week (progress is replayed from the plan).
    Returns a redirect when refused, None when the change is fine."""
    if plan.is_template:
        return None
    programme = Programme.objects.filter(plan=plan).with_progress(blocks=False).first()
    if programme is None or week > programme.state.week:
        return None
    messages.error(request, f"She has reached week {programme.state.week}: weeks up to there keep their sessions, "
                            "so her progress stays as logged. Change the intervals of a session instead.")
    return redirect(plan)


@login_required
@require_POST
@transaction.atomic
def add_week(request, pk):
    plan = get_plan_for_editing(request, pk)
    sessions = list(plan.sessions.prefetch_related("blocks"))
    last_week = max(s.week for s in sessions)
    if last_week >= MAX_WEEKS:
        messages.error(request, f"A plan can have at most {MAX_WEEKS} weeks.")
        return redirect(plan)
    for session in (s for s in sessions if s.week == last_week):
        session.copy_to(plan, week=last_week + 1, number=session.number)
    plan.save(update_fields=["updated_at"])
    messages.success(request, f"Week {last_week + 1} is added as a copy of week {last_week}: change one thing at a time.")
    return redirect(f"{plan.get_absolute_url()}#week-{last_week + 1}")


@login_required
@require_POST
@transaction.atomic
def remove_week(request, pk):
    plan = get_plan_for_editing(request, pk)
    last_week = plan.sessions.aggregate(last=Max("week"))["last"]
    if refusal := refuse_reached_week(request, plan, last_week):
        return refusal
    if last_week == 1:
        messages.error(request, "A plan needs at least one week, so week 1 stays. Edit its sessions instead.")
        return redirect(plan)
    plan.sessions.filter(week=last_week).delete()
    plan.save(update_fields=["updated_at"])
    messages.success(request, f"Week {last_week} is removed.")
    return redirect(plan)


@login_required
@require_POST
@transaction.atomic
def add_session(request, pk, week):
    plan = get_plan_for_editing(request, pk)
    sessions = list(plan.sessions.filter(week=week).prefetch_related("blocks"))
    if not sessions:
        raise Http404("No such week in this plan.")
    if refusal := refuse_reached_week(request, plan, week):
        return refusal
    if len(sessions) >= MAX_SESSIONS_PER_WEEK:
        messages.error(request, f"A week can have at most {MAX_SESSIONS_PER_WEEK} sessions.")
        return redirect(plan)
    last = sessions[-1]
    new = last.copy_to(plan, week=week, number=last.number + 1)
    plan.save(update_fields=["updated_at"])
    messages.success(request, f"Session {new.number} is added to week {week} as a copy of session {last.number}.")
    return redirect(f"{plan.get_absolute_url()}#session-{new.pk}")


@login_required
@require_POST
@transaction.atomic
def remove_session(request, pk):
    session = get_session_for_editing(request, pk)
    plan = session.plan
    if refusal := refuse_reached_week(request, plan, session.week):
        return refusal
    if plan.sessions.count() == 1:
        messages.error(request, "A plan needs at least one session, so this one stays. Edit it instead.")
        return redirect(plan)
    week, number = session.week, session.number
    session.delete()
    # Keep sessions numbered 1, 2, 3… in each week and weeks numbered without gaps:
    # progression counts sessions per week. Ascending order never collides with a neighbour.
    for later in plan.sessions.filter(week=week, number__gt=number).order_by("number"):
        later.number -= 1
        later.save(update_fields=["number"])
    week_emptied = not plan.sessions.filter(week=week).exists()
    if week_emptied:
        for later in plan.sessions.filter(week__gt=week).order_by("week", "number"):
            later.week -= 1
            later.save(update_fields=["week"])
    plan.save(update_fields=["updated_at"])
    if week_emptied:
        messages.success(request, f"Week {week} had no sessions left, so it is removed and later weeks move up.")
    else:
        messages.success(request, f"Session {number} of week {week} is removed.")
    return redirect(plan)


@login_required
def session_detail(request: HtmxHttpRequest, pk):
    """The session's card on its own: what "Cancel" swaps back in place of the edit form."""
    session = get_session_for_editing(request, pk)
    if not request.htmx:
        return redirect(f"{session.plan.get_absolute_url()}#session-{session.pk}")
    return render(request, "programmes/plan_detail.html#session_card", session_context(session))


def session_context(session, **extra):
    return {
        "plan": session.plan,
        "item": SessionSummary(session),
        "editable": True,
        "session_count": session.plan.sessions.count(),
        **extra,
    }


@login_required
def edit_session(request: HtmxHttpRequest, pk):
    session = get_session_for_editing(request, pk)
    initial = {"warm_up": session.warm_up_seconds, "cool_down": session.cool_down_seconds}
    if request.method == "POST":
        form = SessionForm(request.POST, initial=initial)
        formset = BlockFormSet(request.POST, initial=block_initial(session), prefix="blocks")
        if form.is_valid() and formset.is_valid():
            save_session(session, form.cleaned_data, formset.blocks())
            if request.htmx:
                session = get_session_for_editing(request, pk)
                context = session_context(session, week=week_of(session), just_saved=True)
                return render(request, "programmes/plan_detail.html#session_saved", context)
            messages.success(request, f"Week {session.week}, session {session.number} is saved.")
            return redirect(f"{session.plan.get_absolute_url()}#session-{session.pk}")
    else:
        form = SessionForm(initial=initial, autofocus=bool(request.htmx))
        formset = BlockFormSet(initial=block_initial(session), prefix="blocks")
    context = {"session": session, "plan": session.plan, "form": form, "formset": formset, "nav": "plans"}
    template = "programmes/plan_session_edit.html"
    return render(request, f"{template}#session_form" if request.htmx else template, context)


@transaction.atomic
def save_session(session, data, blocks):
    """Replace the session's blocks with the ones typed: all of them or none."""
    session.warm_up_seconds = data["warm_up"]
    session.cool_down_seconds = data["cool_down"]
    session.save(update_fields=["warm_up_seconds", "cool_down_seconds"])
    session.blocks.all().delete()
    PlanBlock.objects.bulk_create(
        PlanBlock(session=session, position=position, run_seconds=run, walk_seconds=walk, repeats=repeats)
        for position, (run, walk, repeats) in enumerate(blocks, start=1)
    )
    session.plan.save(update_fields=["updated_at"])

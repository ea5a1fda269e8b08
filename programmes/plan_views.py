"""The walk–run template editor: built-in templates to view and duplicate, a trainer's own
templates and her clients' programme copies to edit week by week and session by session."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Max, OuterRef, Subquery, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

import audit
from lib.http import HtmxHttpRequest
from lib.urls import addresses

from .models import (
    MAX_SESSIONS_PER_WEEK,
    MAX_WEEKS,
    Plan,
    PlanBlock,
    PlanRefused,
    PlanSession,
    format_duration,
    plan_for_page,
    with_sessions,
)
from .plan_forms import BlockFormSet, NewPlanForm, PlanForm, SessionForm, block_initial

# A new template starts where "Walk–run foundations" does (DOMAIN.md): 6 × (run 1, walk 2).
NEW_TEMPLATE_BLOCK = {"run_seconds": 60, "walk_seconds": 120, "repeats": 6}


# --- Scoping: another trainer's plan is a 404, exactly like one that does not exist -----

def get_plan_for_editing(request, pk):
    return get_object_or_404(Plan.objects.editable_by(request.user), pk=pk)


def get_session_for_editing(request, pk):
    sessions = PlanSession.objects.filter(plan__in=Plan.objects.editable_by(request.user))
    return get_object_or_404(sessions.select_related("plan").prefetch_related("blocks"), pk=pk)


# --- What the templates show ---------------------------------------------------------------

class SessionUrls:
    """A session card's addresses (edit it, remove it), each reversed once per page and filled in for
    each session: a plan page of 27 sessions reversed 81 addresses, a fifth of its cost (issue 20)."""

    def __init__(self):
        self.edit = addresses("plans:edit_session")
        self.remove = addresses("plans:remove_session")


@dataclass
class SessionSummary:
    session: PlanSession
    urls: SessionUrls = field(default_factory=SessionUrls)

    @property
    def edit_url(self):
        return self.urls.edit(self.session.pk)

    @property
    def remove_url(self):
        return self.urls.remove(self.session.pk)

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
    removable: bool = False  # the last of several weeks
    add_session_url: str = ""  # its "Add a session" address (summarise_weeks(): reversed once a page)

    @property
    def can_add_session(self):
        return len(self.sessions) < MAX_SESSIONS_PER_WEEK

    @property
    def running(self):
        return format_duration(sum(s.session.running_seconds for s in self.sessions))

    @property
    def walking(self):
        return format_duration(sum(s.session.walking_seconds for s in self.sessions))


def summarise_weeks(plan):
    urls, add_session = SessionUrls(), addresses("plans:add_session", plan.pk)
    weeks = [WeekSummary(week, [SessionSummary(s, urls) for s in sessions], add_session_url=add_session(week))
             for week, sessions in plan.weeks()]
    if len(weeks) > 1:
        weeks[-1].removable = True
    return weeks


def week_of(session):
    """The summary of the week a session belongs to, read afresh (after an edit)."""
    sessions = session.plan.sessions.filter(week=session.week).prefetch_related("blocks")
    urls = SessionUrls()
    return WeekSummary(session.week, [SessionSummary(s, urls) for s in sessions])


@dataclass(frozen=True)
class PlanLook:
    """How the plan page presents one kind of plan."""

    badge: str
    duplicate_label: str
    noun: str  # "Rename or describe this …"
    duplicate_is_primary: bool = False
    notice: str = ""


PLAN_LOOKS = {
    "builtin": PlanLook("Built-in", "Duplicate to edit", "template", duplicate_is_primary=True,
                        notice="Built-in templates cannot be changed. Use “Duplicate to edit” to make a copy of your own."),
    "own_template": PlanLook("", "Duplicate", "template"),
    "client_copy": PlanLook("Her programme", "Save a copy as a template", "programme"),
}


def plan_look(plan, client):
    """A client's copy reads as hers only while her programme holds it."""
    if plan.is_builtin:
        return PLAN_LOOKS["builtin"]
    return PLAN_LOOKS["client_copy" if client else "own_template"]


def programme_client(plan):
    """The client whose programme this plan is, or None for a template."""
    programme = getattr(plan, "programme", None) if plan.is_client_copy else None
    return programme.client if programme else None


# --- Pages ---------------------------------------------------------------------------------

@login_required
def plan_list(request):
    form = NewPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        plan = Plan.create_template(request.user, form.cleaned_data["name"], NEW_TEMPLATE_BLOCK)
        messages.success(request, f"“{plan.name}” is created with one week and one session. Shape it below.")
        return redirect(plan)
    templates = Plan.objects.templates_for(request.user)
    return render(request, "programmes/plan_list.html", plan_list_context(templates, form))


def plan_list_context(templates, form):
    # Totals per template from correlated subqueries: a join of every plan's sessions and blocks
    # would read every client's copy at scale.
    sessions = PlanSession.objects.filter(plan=OuterRef("pk")).order_by().values("plan")
    blocks = PlanBlock.objects.filter(session__plan=OuterRef("pk")).order_by().values("session__plan")
    plans = templates.annotate(
        week_count=Subquery(sessions.annotate(weeks=Max("week")).values("weeks")),
        running_total=Subquery(blocks.annotate(total=Sum(F("run_seconds") * F("repeats"))).values("total")),
    ).order_by(F("studio").asc(nulls_first=True), "name", "pk")
    rows = [{"plan": plan, "running": format_duration(plan.running_total or 0)} for plan in plans]
    return {"rows": rows, "form": form, "nav": "plans"}


@login_required
def plan_detail(request, pk, details_form=None):
    # Read once, with its sessions and their blocks: the page shows them all (written out: plan_for_page).
    plan = plan_for_page(request.user, pk)
    if plan is None:
        raise Http404("No plan matches the given query.")
    client = programme_client(plan)
    if client is not None:
        audit.record_view(request, client, "viewed_programme", "Her plan")
    return render(request, "programmes/plan_detail.html", plan_context(request, plan, client, details_form))


def plan_context(request, plan, client, details_form=None):
    """What the plan page shows of `plan`, read with its sessions and their blocks (with_sessions)."""
    editable = plan.studio_id == request.user.studio_id
    weeks = summarise_weeks(plan)
    return {
        "plan": plan,
        "look": plan_look(plan, client),
        "weeks": weeks,
        "editable": editable,
        "deletable": editable and plan.is_template,
        "client": client,
        "session_count": sum(len(week.sessions) for week in weeks),
        "running_total": format_duration(sum(s.session.running_seconds for w in weeks for s in w.sessions)),
        "details_form": details_form or (PlanForm(instance=plan) if editable else None),
        "can_add_week": editable and len(weeks) < MAX_WEEKS,
        "warnings": plan.warnings(),
        "nav": "plans",
    }


@login_required
@require_POST
def plan_rename(request, pk):
    plan = get_plan_for_editing(request, pk)
    form = PlanForm(request.POST, instance=plan)
    if form.is_valid():
        plan.rename(form.cleaned_data["name"], form.cleaned_data["description"])
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
    plan = get_object_or_404(Plan.objects.editable_by(request.user).templates(), pk=pk)
    if request.method == "POST":
        name = plan.name
        plan.delete()
        messages.success(request, f"The template “{name}” is deleted. Clients' programmes made from it are unchanged.")
        return redirect("plans:list")
    return render(request, "programmes/plan_delete.html", {"plan": plan, "nav": "plans"})


# --- Weeks and sessions: the plan does the work (Plan.add_week() …); views parse and show ---

@login_required
@require_POST
def add_week(request, pk):
    plan = get_plan_for_editing(request, pk)
    try:
        week = plan.add_week()
    except PlanRefused as refused:
        messages.error(request, str(refused))
        return redirect(plan)
    messages.success(request, f"Week {week} is added as a copy of week {week - 1}: change one thing at a time.")
    return redirect(f"{plan.get_absolute_url()}#week-{week}")


@login_required
@require_POST
def remove_week(request, pk):
    plan = get_plan_for_editing(request, pk)
    try:
        week = plan.remove_week()
    except PlanRefused as refused:
        messages.error(request, str(refused))
        return redirect(plan)
    messages.success(request, f"Week {week} is removed.")
    return redirect(plan)


@login_required
@require_POST
def add_session(request, pk, week):
    plan = get_plan_for_editing(request, pk)
    try:
        new = plan.add_session(week)
    except PlanRefused as refused:
        messages.error(request, str(refused))
        return redirect(plan)
    if new is None:
        raise Http404("No such week in this plan.")
    messages.success(request, f"Session {new.number} is added to week {week} as a copy of session {new.number - 1}.")
    return redirect(f"{plan.get_absolute_url()}#session-{new.pk}")


@login_required
@require_POST
def remove_session(request, pk):
    session = get_session_for_editing(request, pk)
    plan = session.plan
    try:
        week_emptied = plan.remove_session(session)
    except PlanRefused as refused:
        messages.error(request, str(refused))
        return redirect(plan)
    if week_emptied:
        messages.success(request, f"Week {session.week} had no sessions left, so it is removed and later weeks move up.")
    else:
        messages.success(request, f"Session {session.number} of week {session.week} is removed.")
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
            session.replace_blocks(form.cleaned_data["warm_up"], form.cleaned_data["cool_down"], formset.blocks())
            if request.htmx:
                session = get_session_for_editing(request, pk)
                context = session_context(session, week=week_of(session), just_saved=True,
                                          warnings=with_sessions(Plan.objects.filter(pk=session.plan_id)).get().warnings())
                return render(request, "programmes/plan_detail.html#session_saved", context)
            messages.success(request, f"Week {session.week}, session {session.number} is saved.")
            return redirect(f"{session.plan.get_absolute_url()}#session-{session.pk}")
    else:
        form = SessionForm(initial=initial, autofocus=bool(request.htmx))
        formset = BlockFormSet(initial=block_initial(session), prefix="blocks")
    context = {"session": session, "plan": session.plan, "form": form, "formset": formset, "nav": "plans"}
    template = "programmes/plan_session_edit.html"
    return render(request, f"{template}#session_form" if request.htmx else template, context)



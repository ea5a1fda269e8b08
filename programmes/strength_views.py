"""Her strength plan (issue 24): the plan suggested from her latest assessment, which her trainer
edits (keep or drop each exercise, change its dose, add others from the library) and assigns as
her own copy, and the sessions she ticks done, seen on her page."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

import audit
from clients.access import consent_missing, get_client_for_trainer

from .strength import Exercise, StrengthLog, StrengthPlan, StrengthRefused, red_flag_route
from .strength_forms import PlanItemFormSet, StrengthStartForm
from .strength_rules import Dose, suggest
from .views import referral_context


@dataclass
class Row:
    exercise: Exercise
    reason: str = ""  # why it is suggested; "" for the rest of the library
    form: object = None


def suggested_rows(client, trainer, latest):
    """(suggestion, rows): the suggested exercises first, at their fitted doses, then the rest of the
    library at its starting doses, unticked."""
    library = list(Exercise.objects.viewable_by(trainer).only(
        "name", "serves", "sets", "reps", "hold_seconds", "low_impact", "studio"))
    by_key = {exercise.pk: exercise for exercise in library}
    verdict, focus_areas = (latest.verdict, latest.result.focus_areas) if latest else ("not_yet", ())
    suggestion = suggest(verdict, focus_areas, [e.spec for e in library], client.has_open_red_flag)
    rows, initial = [], []
    for item in suggestion.items:
        rows.append(Row(by_key[item.key], "Daily" if item.daily else item.reason))
        initial.append({"exercise": item.key, "include": True, "daily": item.daily, "sets": item.dose.sets,
                        "reps": item.dose.reps, "hold_seconds": item.dose.hold_seconds})
    chosen = {item.key for item in suggestion.items}
    for exercise in library:
        if exercise.pk not in chosen and (suggestion.allowed and (exercise.low_impact or verdict == "ready")):
            rows.append(Row(exercise))
            initial.append({"exercise": exercise.pk, "include": False, "daily": exercise.serves.startswith("pelvic_floor"),
                            "sets": exercise.sets, "reps": exercise.reps, "hold_seconds": exercise.hold_seconds})
    return suggestion, rows, initial, by_key


def offered_as_posted(rows, formset):
    """Whether the posted rows are the exercises offered now, in the same order: the only ones the
    rules allow her (too early: low-impact only; a red flag: none), each with its own form."""
    # A missing or tampered management form leaves no forms (Django counts 0), so it never matches.
    posted = [str(form["exercise"].value()) for form in formset.forms]
    return posted == [str(row.exercise.pk) for row in rows]


@login_required
def strength_plan(request, client_pk):
    client = get_client_for_trainer(request, client_pk)
    if refusal := consent_missing(request, client):
        return refusal
    latest = client.assessments.first()
    suggestion, rows, initial, by_key = suggested_rows(client, request.user, latest)
    formset = PlanItemFormSet(request.POST or None, initial=initial, prefix="items")
    start_form = StrengthStartForm(request.POST or None, initial={"start_date": timezone.localdate()})
    if request.method == "POST" and not offered_as_posted(rows, formset):
        # The page she submitted is not what would be offered now (a new assessment or red flag, her
        # library changed in another tab, or a tampered form): assigning it could give her an
        # exercise her verdict does not allow ("too early": low-impact only), so show it afresh.
        messages.error(request, "Her suggested plan changed since you opened this page (her assessment, a red flag "
                                "or your library): check it again, then assign it.")
        return redirect(request.path)
    error = ""
    if request.method == "POST" and suggestion.allowed and formset.is_valid() and start_form.is_valid():
        items = []
        for form in formset.forms:
            data = form.cleaned_data
            exercise = by_key.get(data.get("exercise"))
            if exercise is None:
                error = "An exercise on this page is no longer in your library: reload the page."
                break
            if data["include"]:
                items.append((exercise, Dose(data["sets"], data["reps"], data.get("hold_seconds")), data["daily"]))
        if not error:
            try:
                StrengthPlan.assign(client=client, items=items, start_date=start_form.cleaned_data["start_date"],
                                    by=request.user, assessment=latest)
            except StrengthRefused as refused:
                error = str(refused)
            else:
                audit.record(request, client, "assigned_programme", "Strength plan")
                messages.success(request, f"Her strength plan is assigned: {len(items)} exercise{'s' if len(items) != 1 else ''}. "
                                          "She sees it on her page.")
                return redirect(f"{client.get_absolute_url()}#strength")
    audit.record_view(request, client, "viewed_programme", "Her suggested strength plan")
    for row, form in zip(rows, formset.forms, strict=True):
        row.form = form
    return render(request, "programmes/strength_plan.html", {
        "client": client, "latest": latest, "suggestion": suggestion, "rows": rows, "formset": formset,
        "start_form": start_form, "error": error, "route": red_flag_route(client, "trainer"), "nav": "clients",
        "has_plan": client.strength_plans.current().exists(),
    }, status=400 if request.method == "POST" else 200)


@login_required
def strength_referral(request, strength_log_pk):
    """A printable summary, for the clinician, of a red flag noted with a strength session."""
    # The studio's, like her page: every member works with her, not only her lead trainer (issue 26).
    log = get_object_or_404(StrengthLog.objects.filter(plan__client__studio_id=request.user.studio_id)
                            .select_related("plan__client", "logged_by"), pk=strength_log_pk)
    if not log.has_red_flag:
        raise Http404("No red flag was noted with this strength session.")
    client = log.plan.client
    audit.record(request, client, "viewed_referral", f"Strength session of {log.done_on:%-d %b %Y}")
    return render(request, "programmes/session_referral.html", referral_context(client, log, strength=True))

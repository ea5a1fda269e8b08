import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

import audit
from clients.access import consent_missing, get_client_for_trainer
from guideline import protocol
from lib.http import HtmxHttpRequest, query_number

from .access import get_assessment_for_trainer
from .compare import compare_assessments
from .forms import AssessmentForm, DeleteAssessmentForm, ImportForm, import_problems
from .models import Assessment, RedFlagRemoval, StaleAssessment, finished


@login_required
@require_POST
def assessment_create(request, client_pk):
    """Start a new assessment dated today; "retest" pre-fills the measurements of her latest
    one, marked as carried over (the symptom screen and wellbeing are asked afresh)."""
    client = get_client_for_trainer(request, client_pk)
    if refusal := consent_missing(request, client):
        return refusal
    assessment = Assessment(client=client, assessed_on=timezone.localdate(), recorded_by=request.user)
    if request.POST.get("retest") and (latest := client.assessments.first()):
        assessment.carry_over_from(latest)
    assessment.save(touch=True)
    audit.record(request, client, "created_assessment", assessment)
    return redirect(assessment)


def form_initial(assessment):
    return {"assessed_on": assessment.assessed_on, "notes": assessment.notes, "version": assessment.version,
            **assessment.values()}


@login_required
def studio(request: HtmxHttpRequest, pk):
    """The studio entry screen: every field autosaves through htmx; without JavaScript it is one form."""
    assessment = get_assessment_for_trainer(request, pk, "recorded_by")  # its line under the heading names who
    client = assessment.client
    conflict = None
    if request.method == "POST":
        if refusal := consent_missing(request, client):
            return refusal
        form = AssessmentForm(request.POST, client=client)
        form.is_valid()
        # Taking a red flag off her record needs a confirmation and a reason, asked beside the answer.
        reasons = form.red_flag_reasons(assessment)
        # "Save mine over it" after a conflict names the version she has now seen.
        overwrite = request.POST.get("overwrite", "")
        # ASCII digits only, and few of them: "²".isdigit() is true and int() refuses it.
        expected = int(overwrite) if re.fullmatch(r"[0-9]{1,9}", overwrite) else form.cleaned_data.get("version", -1)
        carried = list(assessment.carried_over)
        try:
            # The box she just filled in (the autosave names it): a carried-over value entered again,
            # even unchanged, is confirmed and loses its mark.
            if assessment.save_changes(form.valid_values(), request.user, expected, reasons,
                                       entered=request.POST.getlist("entered")):
                audit.record(request, client, "changed_assessment", assessment)
        except RedFlagRemoval as refused:  # a "yes" saved meanwhile (another tab): asked for as above
            for name in refused.fields:
                form.add_error(name, str(refused))
        except StaleAssessment:
            latest = Assessment.objects.select_related("client").get(pk=assessment.pk)
            # Two saves of the same values racing (a box's autosave as it loses focus, and Finish
            # or Enter) lose nothing: only a different value saved elsewhere is a conflict.
            if any(getattr(latest, name) != value for name, value in form.valid_values().items()):
                conflict = latest
            else:
                assessment = latest
        group = protocol.ANSWER_GROUPS.get(request.POST.get("none_of", ""))
        if group is not None and not conflict:
            # "None of these": after what the form carried is saved, the group's unanswered questions are "no".
            assessment.refresh_from_db()
            if assessment.answer_none_of(group.key, request.user, assessment.version):
                audit.record(request, client, "changed_assessment", assessment)
            if not form.errors:
                return redirect(f"{assessment.get_absolute_url()}#{group.anchor}")
        if request.htmx:
            context = {"assessment": conflict or assessment, "form": form, "conflict": conflict, "saved_at": timezone.now(),
                       "uncarried": [] if conflict else [name for name in carried if name not in assessment.carried_over]}
            return render(request, "assessments/studio.html#autosaved", context)
        if not form.errors and not conflict:
            finished.send(sender=Assessment, assessment=assessment)
            return redirect("programmes:assessment_summary", assessment.pk)
        if conflict:
            assessment = conflict
    else:
        audit.record(request, client, "viewed_assessment", assessment)
        return render(request, "assessments/studio.html", studio_context(assessment))
    history = assessment.changes.select_related("changed_by")[:30]
    context = {"assessment": assessment, "client": client, "form": form, "conflict": conflict, "history": history}
    return render(request, "assessments/studio.html", context, status=409 if conflict else 200)


def studio_context(assessment):
    form = AssessmentForm(initial=form_initial(assessment), client=assessment.client)
    history = assessment.changes.select_related("changed_by")[:30]
    return {"assessment": assessment, "client": assessment.client, "form": form, "conflict": None, "history": history}


@login_required
@require_POST
def confirm_carried_over(request, pk):
    assessment = get_assessment_for_trainer(request, pk)
    if refusal := consent_missing(request, assessment.client):
        return refusal
    if assessment.carried_over:
        assessment.confirm_carried_over(request.user)
        messages.success(request, "The carried-over values are confirmed for this assessment.")
    if request.POST.get("then") == "assign":  # asked for on the way to assigning her a programme
        return redirect("programmes:assign", assessment.client_id)
    return redirect(assessment)


@login_required
def referral(request, pk):
    assessment = get_assessment_for_trainer(request, pk)
    context = {"assessment": assessment, "client": assessment.client, "citation": protocol.GUIDELINE_CITATION}
    audit.record(request, assessment.client, "viewed_referral", assessment)
    return render(request, "assessments/referral.html", context)


@login_required
def export_json(request, pk):
    assessment = get_assessment_for_trainer(request, pk)
    response = JsonResponse(assessment.exported(), json_dumps_params={"indent": 2, "ensure_ascii": False})
    audit.record(request, assessment.client, "exported_assessment", assessment)
    filename = f"assessment-{assessment.assessed_on:%Y-%m-%d}-{assessment.pk}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def import_json(request, client_pk):
    client = get_client_for_trainer(request, client_pk)
    audit.record_view(request, client, "viewed_client", "Import page")
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST":
        if refusal := consent_missing(request, client):
            return refusal
        if form.is_valid():
            problems, parsed = import_problems(form.cleaned_data["payload"], client)
            if not problems:
                assessment = Assessment(client=client, recorded_by=request.user, **parsed.valid_values())
                assessment.save(touch=True)
                audit.record(request, client, "imported_assessment", assessment)
                messages.success(request, f"Assessment of {assessment.assessed_on:%-d %b %Y} imported.")
                return redirect(assessment)
    return render(request, "assessments/import.html", {"client": client, "form": form, "problems": problems})


LIST_PAGE_SIZE = 25


@login_required
@require_safe
def assessment_list(request, client_pk):
    """Every assessment of hers, latest first, a page at a time (her page shows the latest few)."""
    client = get_client_for_trainer(request, client_pk)
    assessments = client.assessments.summaries().select_related("recorded_by").order_by("-assessed_on", "-pk")
    page = Paginator(assessments, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record(request, client, "viewed_client")
    return render(request, "assessments/list.html", {"client": client, "page": page, "assessments": page.object_list})


@login_required
def compare(request, client_pk):
    client = get_client_for_trainer(request, client_pk)
    audit.record(request, client, "viewed_comparison")
    # A choice that names none of hers draws the default pair (compare_context).
    chosen = [pk for pk in (query_number(request, "a"), query_number(request, "b")) if pk is not None]
    return render(request, "assessments/compare.html", compare_context(client, chosen if len(chosen) == 2 else None))


def compare_context(client, chosen=None):
    """The two chosen (hers), else her two latest: two rows read, however long her history."""
    by_pk = {a.pk: a for a in client.assessments.filter(pk__in=chosen)} if chosen else {}
    first, second = (by_pk.get(chosen[0]), by_pk.get(chosen[1])) if chosen else (None, None)
    if first is None or second is None:
        latest = list(client.assessments.order_by("-assessed_on", "-pk")[:2])
        first, second = (latest[1], latest[0]) if len(latest) == 2 else (None, None)
    if first and second and (first.assessed_on, first.pk) > (second.assessed_on, second.pk):
        first, second = second, first
    comparison = compare_assessments(first, second) if first and second else None
    return {"client": client, "first": first, "second": second, "comparison": comparison}


@login_required
def assessment_delete(request, pk):
    """Deleting asks for a reason, and for a confirmation when it would take a red flag off her
    record; what it recorded and its history stay on her record (DeletedAssessment)."""
    assessment = get_assessment_for_trainer(request, pk)
    audit.record_view(request, assessment.client, "viewed_assessment", assessment)
    form = DeleteAssessmentForm(request.POST or None, assessment=assessment)
    if request.method == "POST" and form.is_valid():
        client = assessment.client
        assessment.delete_for(request.user, form.cleaned_data["reason"],
                              confirm_red_flag_removed=form.cleaned_data.get("confirm_red_flag_removed", False))
        audit.record(request, client, "deleted_assessment", assessment)
        removed = " Its red flag is no longer on her record." if assessment.red_flag_codes else ""
        messages.success(request, f"The assessment of {assessment.assessed_on:%-d %b %Y} is deleted; what it recorded and "
                                  f"why it was deleted stay in her record's history.{removed}")
        return redirect(client)
    context = {"assessment": assessment, "client": assessment.client, "form": form,
               "red_flags": [protocol.ITEMS[f"symptoms.{code}"].label for code in assessment.red_flag_codes]}
    return render(request, "assessments/delete.html", context)



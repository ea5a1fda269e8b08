from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from audit.log import record
from audit.models import AccessEvent
from clients.access import get_client_for_trainer
from lib.http import private

from . import everything
from .forms import LogFilterForm

PAGE_SIZE = 50
# Seconds of report drawing per step of her export. A report takes about 2 s of CPU; a step
# starts another only if it should end inside the budget, so a step lasts about this long, or
# one report's time on a machine so busy that one report takes longer: far inside gunicorn's
# 30 s worker timeout either way.
PREPARE_BUDGET = 8


def querystring_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_safe
def client_activity(request, client_pk):
    """Everything recorded about one client: who looked, who changed what, her link's visits, each
    named. Any member of her studio reads it whole (they all work with her); another studio's 404."""
    client = get_client_for_trainer(request, client_pk)
    record(request, client, "viewed_activity")  # the log of who saw her data is hers too
    events = AccessEvent.objects.filter(client=client)  # named on the row (actor_name): no join
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return private(render(request, "audit/client_activity.html", {"client": client, "page": page}))


@login_required
@require_safe
def trainer_log(request):
    """The studio's whole log for an owner, her own for a trainer (AccessEventQuerySet.for_trainer),
    filtered by client, kind and dates."""
    form = LogFilterForm(request.GET or None, trainer=request.user)
    events = form.apply(AccessEvent.objects.for_trainer(request.user).select_related("client"))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": querystring_without_page(request), "nav": "profile",
               "whole_studio": request.user.is_owner}
    return private(render(request, "audit/log.html", context))


@login_required
@require_safe
def export_everything(request, client_pk):
    """"Download everything about her": a zip of her data, reports and a README. Reports the
    worker has not drawn yet are drawn here for one step's budget; if some are still missing,
    her export page carries on in steps, so no request runs into the server's timeout."""
    client = get_client_for_trainer(request, client_pk)
    preparation = everything.prepare_reports(client, PREPARE_BUDGET)
    if preparation.ready < preparation.total:
        return private(redirect("audit:everything", client.pk))
    content = everything.build_zip(everything.load(client.pk), by=request.user)
    record(request, client, "exported_everything")
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{everything.filename(client)}"'
    return private(response)


@login_required
@require_safe
def prepare_everything(request, client_pk):
    """"Download everything about her", step by step: each request draws the reports that are
    not drawn yet for about PREPARE_BUDGET seconds and says how far it got; the page carries on
    by itself with htmx, or with its Continue button without JavaScript. Once every report is
    drawn the zip only reads the stored drawings (reports.DrawnReport), so it downloads in about a second."""
    client = get_client_for_trainer(request, client_pk)
    preparation = everything.prepare_reports(client, PREPARE_BUDGET)
    if preparation.ready == preparation.total and not preparation.drawn and not request.htmx:
        return private(redirect(reverse("audit:export_everything", args=[client.pk])))  # the zip logs itself
    record(request, client, "viewed_client", "Her export, being prepared")
    zip_url = reverse("audit:export_everything", args=[client.pk])
    done = preparation.ready == preparation.total
    if done and not preparation.drawn and not request.htmx:
        return private(redirect(zip_url))  # nothing to wait for: the download starts at once
    context = {"client": client, "preparation": preparation, "done": done, "zip_url": zip_url}
    return private(render(request, "audit/everything.html", context))

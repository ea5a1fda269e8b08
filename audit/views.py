from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.core.paginator import Paginator
from django.views.decorators.http import require_safe
from django.shortcuts import render

from clients.access import get_client_for_trainer
from config.http import private

from . import everything
from .forms import LogFilterForm
from .log import record
from .models import AccessEvent

PAGE_SIZE = 50


def querystring_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_safe
def client_activity(request, client_pk):
    """Everything recorded about one client: who looked, who changed what, her link's visits."""
    client = get_client_for_trainer(request, client_pk)
    events = AccessEvent.objects.filter(client=client).select_related("actor")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return private(render(request, "audit/client_activity.html", {"client": client, "page": page}))


@login_required
@require_safe
def trainer_log(request):
    """Her whole log, filtered by client, kind and dates."""
    form = LogFilterForm(request.GET or None, trainer=request.user)
    events = form.apply(AccessEvent.objects.for_trainer(request.user).select_related("actor", "client"))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": querystring_without_page(request), "nav": "profile"}
    return private(render(request, "audit/log.html", context))


@login_required
@require_safe
def export_everything(request, client_pk):
    """"Download everything about her": a zip of her data, reports and a README."""
    client = get_client_for_trainer(request, client_pk)
    content = everything.build_zip(everything.load(client.pk), by=request.user)
    record(request, client, "exported_everything")
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{everything.filename(client)}"'
    return private(response)

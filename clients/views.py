from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from .forms import ClientForm, DeleteClientForm
from .models import Client

PAGE_SIZE = 25


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def get_client_for_trainer(request, pk):
    """Another trainer's client is a 404, exactly like one that does not exist."""
    return get_object_or_404(Client.objects.for_trainer(request.user), pk=pk)


@login_required
def client_list(request: HtmxHttpRequest):
    query = request.GET.get("q", "")[:150]
    show_archived = request.GET.get("show") == "archived"
    clients = Client.objects.for_trainer(request.user).search(query)
    clients = clients.archived() if show_archived else clients.active()
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "query": query, "show_archived": show_archived}
    template = "clients/list.html#results" if request.htmx and not request.htmx.boosted else "clients/list.html"
    return render(request, template, context)


@login_required
def client_create(request):
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client = form.save(commit=False)
        client.trainer = request.user
        client.save()
        messages.success(request, f"{client.full_name} is added. Record her consent before her first assessment.")
        return redirect(client)
    return render(request, "clients/form.html", {"form": form})


@login_required
def client_detail(request, pk):
    client = get_client_for_trainer(request, pk)
    assessments = list(client.assessments.select_related("recorded_by"))
    return render(request, "clients/detail.html", {"client": client, "assessments": assessments})


@login_required
def client_edit(request, pk):
    client = get_client_for_trainer(request, pk)
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Her details are saved.")
        return redirect(client)
    return render(request, "clients/form.html", {"form": form, "client": client})


@login_required
@require_POST
def client_archive(request, pk):
    client = get_client_for_trainer(request, pk)
    client.archive()
    messages.success(request, f"{client.full_name} is archived. You can restore her from the archived list.")
    return redirect("clients:list")


@login_required
@require_POST
def client_restore(request, pk):
    client = get_client_for_trainer(request, pk)
    client.restore()
    messages.success(request, f"{client.full_name} is restored.")
    return redirect(client)


@login_required
@require_POST
def client_consent(request, pk):
    client = get_client_for_trainer(request, pk)
    if request.POST.get("action") == "withdraw":
        client.withdraw_consent()
        messages.success(request, "Consent withdrawn: no new assessments can be recorded for her.")
    else:
        client.record_consent(request.user)
        messages.success(request, "Consent to hold her health data is recorded.")
    return redirect(client)


@login_required
def client_delete(request, pk):
    client = get_client_for_trainer(request, pk)
    form = DeleteClientForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        name = client.full_name
        client.delete()
        messages.success(request, f"Everything about {name} has been permanently deleted.")
        return redirect("clients:list")
    return render(request, "clients/delete.html", {"client": client, "form": form})

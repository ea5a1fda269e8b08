from functools import cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import BooleanField, DateTimeField, F
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

import audit
from accounts.models import Studio, Trainer
from assessments.models import Assessment, DeletedAssessment, latest_summaries
from audit.models import AccessEvent
from clients.access import get_client_for_trainer
from clients.forms import ClientForm, DeleteClientForm, HandoverForm, NewClientForm, ShareLinkForm
from clients.models import Client, Handover, ShareLink, studio_members, usable_link_of
from lib.http import HtmxHttpRequest, absolute_url, private, query_number, query_string
from lib.qr import qr_svg
from lib.queries import Written, converted, fits, read_one
from privacy.erasure import erase_client, may_erase
from programmes.card import card_context, red_flag_rows
from programmes.models import Programme, current_programme_for_card, running_decision_for
from programmes.strength import StrengthPlan, current_strength_plan, paused_words
from programmes.strength_rules import RED_FLAG_NO_PLAN

from .attention import (
    ALL_PAGE_SIZE,
    needs_attention,
    statuses_for,
    with_current_programme,
    with_latest_assessment,
    with_namesakes,
    worklist_page,
)
from .forms import AttentionAckForm
from .models import AttentionAck

PAGE_SIZE = 25
DELETED_SHOWN = 5


def whose_clients(request):
    """Home, "See all" and the client list show the clients she leads first, with a switch to
    everyone's (?clients=all), when her studio has another trainer; a trainer on her own sees her
    studio's, which are hers, as before. One query: her studio's members."""
    many = len(studio_members(request.user)) > 1
    everyone = request.GET.get("clients") == "all"
    return {"many_trainers": many, "mine": many and not everyone, "everyone": many and everyone}


@login_required
def client_list(request: HtmxHttpRequest):
    query = request.GET.get("q", "")[:150]
    show_archived = request.GET.get("show") == "archived"
    whose = whose_clients(request)
    clients = Client.objects.for_trainer(request.user).search(query)
    clients = clients.archived() if show_archived else clients.active()
    if whose["mine"]:
        clients = clients.led_by(request.user)
    listed = clients
    # Each row's verdict, programme state and check-up due, and whether another client of hers has
    # her name (then her baby's date of birth, or her email, tells them apart), ride on the page's one query.
    clients = with_namesakes(with_current_programme(with_latest_assessment(clients.only(
        "full_name", "email", "baby_date_of_birth", "last_activity_at"))))
    if whose["many_trainers"]:
        clients = clients.annotate(lead_name=F("trainer__full_name"))  # the lead trainer column, joined
    paginator = Paginator(clients, PAGE_SIZE)
    # Counted without the joins the rows carry: each adds at most one row to a client (her latest
    # assessment; her current programme, one at most by a constraint), so they cannot change the count,
    # and on PostgreSQL the count's join to the current programmes scanned every studio's.
    paginator.count = listed.count()
    page = paginator.get_page(request.GET.get("page"))
    template = "clients/list.html#results" if request.htmx and not request.htmx.boosted else "clients/list.html"
    statuses = statuses_for(request.user, page.object_list, timezone.localdate())
    for client in page.object_list:
        client.status = statuses[client.pk]
    # The pager keeps what the list reads of the query (not whatever else the address carries), in this order.
    pager_query = query_string(q=query, show="archived" if show_archived else "",
                               clients="all" if whose["everyone"] else "")
    return render(request, template, {"page": page, "query": query, "show_archived": show_archived, "nav": "clients",
                                      "pager_query": pager_query, **whose})


@login_required
def client_create(request):
    form = NewClientForm(request.POST or None, trainer=request.user, members=studio_members(request.user))
    if request.method == "POST" and form.is_valid():
        client = form.save(commit=False)
        client.trainer = form.chosen_lead()
        client.save()
        audit.record(request, client, "created_client")
        messages.success(request, f"{client.full_name} is added. Record her consent before her first assessment.")
        return redirect(client)
    return render(request, "clients/form.html", {"form": form})


@login_required
@require_safe
def client_detail(request, pk):
    # Her studio joined: an archived client's page says when her studio's retention period ends.
    client = client_for_page(request.user, pk)
    audit.record(request, client, "viewed_client")
    # ?logged=N after a log form posted without JavaScript: the card shows that log's outcome.
    context = client_context(client, query_number(request, "logged"))
    context["may_erase"] = may_erase(request.user, client)
    return render(request, "clients/detail.html", {**context, **lead_trainer_context(request, client)})


def lead_trainer_context(request, client, form=None):
    """Her lead trainer, the hand-over form (when her studio has another trainer to hand her to)
    and her hand-overs so far (read only when she has any)."""
    members = studio_members(request.user) if client.has_other_trainers else []
    return {
        "handover_form": form or (HandoverForm(client=client, members=members) if len(members) > 1 else None),
        "handovers": list(client.handovers.select_related("from_trainer", "to_trainer", "by")) if client.has_handovers else [],
    }


@login_required
@require_POST
def client_hand_over(request, pk):
    """Hand her over to another trainer of her studio, with a reason kept in her history. Any
    trainer of the studio may: they all work with her, and the hand-over names who did it."""
    client = client_for_page(request.user, pk)
    form = HandoverForm(request.POST, client=client, members=studio_members(request.user))
    if form.is_valid():
        previous = client.trainer
        try:
            client.hand_over(form.trainer, request.user, form.cleaned_data["reason"])
        except ValueError as refused:  # someone handed her over meanwhile
            form.add_error("to", str(refused))
        else:
            audit.record(request, client, "handed_over", f"From {previous.full_name} to {form.trainer.full_name}")
            messages.success(request, f"{client.full_name} is handed over: {form.trainer.full_name} leads her now.")
            return redirect(f"{client.get_absolute_url()}#lead-trainer")
    context = client_context(client)
    context["may_erase"] = may_erase(request.user, client)
    return render(request, "clients/detail.html", {**context, **lead_trainer_context(request, client, form)}, status=400)


HISTORY_ON_PAGE = 12  # her latest assessments on her page; "All N assessments" pages through the rest


def _fact(sql, model, output_field):
    table = f'"{model._meta.db_table}" U0'  # the query's own table is named for itself, as Django names it
    return RawSQL(sql.format(table=table, client=f'"{Client._meta.db_table}"."id"'), (), output_field=output_field)


# What her page asks of her other records, riding on the statement for her row (client_for_page):
# whether she has an ended programme, a current strength plan, a link not revoked or deleted
# assessments (each read only if so: most clients lack some), and when she last opened her private
# page. Written as SQL: each is one indexed EXISTS (or a LIMIT 1) on her id, and Django's Exists()
# costs about as much CPU to build and compile as the query it saves.
PAGE_FACTS = {
    "has_ended_programme": _fact('EXISTS (SELECT 1 FROM {table} WHERE U0."client_id" = {client} AND U0."ended_at" IS NOT NULL)',
                                 Programme, BooleanField()),
    "has_strength_plan": _fact('EXISTS (SELECT 1 FROM {table} WHERE U0."client_id" = {client} AND U0."ended_at" IS NULL)',
                               StrengthPlan, BooleanField()),
    # Expiry and her consent are checked when the link is read (ShareLink.objects.usable()).
    "has_link": _fact('EXISTS (SELECT 1 FROM {table} WHERE U0."client_id" = {client} AND U0."revoked_at" IS NULL)',
                      ShareLink, BooleanField()),
    # Another active trainer of her studio to hand her over to: her page reads the studio's trainers only then.
    "has_other_trainers": RawSQL(
        f'EXISTS (SELECT 1 FROM "{Trainer._meta.db_table}" U0 '
        f'WHERE U0."studio_id" = "{Client._meta.db_table}"."studio_id" AND U0."id" <> "{Client._meta.db_table}"."trainer_id" '
        'AND U0."is_active")', (), output_field=BooleanField()),
    "has_handovers": _fact('EXISTS (SELECT 1 FROM {table} WHERE U0."client_id" = {client})', Handover, BooleanField()),
    "has_deleted_assessments": _fact('EXISTS (SELECT 1 FROM {table} WHERE U0."client_id" = {client})',
                                     DeletedAssessment, BooleanField()),
    "last_link_visit_at": _fact('(SELECT U0."at" FROM {table} WHERE U0."client_id" = {client} AND U0."via_link" '
                                'ORDER BY U0."at" DESC, U0."id" DESC LIMIT 1)', AccessEvent, DateTimeField()),
}


@cache  # the tables' columns do not change while running
def _page_statement():
    client, recorder = Written(Client), Written(Trainer, "consent_by")
    latest, trainer, studio = Written(Assessment, "latest"), Written(Trainer, "lead"), Written(Studio, "studio")
    facts = ", ".join(f"{fact.sql} AS {name}" for name, fact in PAGE_FACTS.items())
    sql = (f"SELECT {client.columns}, {recorder.columns}, {latest.columns}, {trainer.columns}, {studio.columns}, {facts} "
           f'FROM {client.table} LEFT OUTER JOIN {recorder.table} ON consent_by."id" = {client.alias}."consent_recorded_by_id" '
           f'LEFT OUTER JOIN {latest.table} ON latest."id" = {client.alias}."latest_assessment_id" '
           f'INNER JOIN {trainer.table} ON lead."id" = {client.alias}."trainer_id" '
           f'INNER JOIN {studio.table} ON studio."id" = {client.alias}."studio_id" '
           f'WHERE {client.alias}."studio_id" = %s AND {client.alias}."id" = %s')
    return (client, recorder, latest, trainer, studio), sql


def client_for_page(trainer, pk):
    """Her row for her page, of the signed-in trainer's studio (else a 404, as
    get_client_for_trainer()): what
    Client.objects.for_trainer(trainer).select_related("consent_recorded_by", "latest_assessment",
    "trainer", "studio").annotate(**PAGE_FACTS).get(pk=pk) reads (her studio, for when its retention
    period ends on an archived client's page), in the same statement, written out: compiling it
    through the ORM (five tables' ~160 columns and seven facts) cost about 1.5 ms of CPU a page,
    several times running it."""
    (client, recorder, latest, lead, studio), sql = _page_statement()
    connection = connections[DEFAULT_DB_ALIAS]
    row = None
    if fits(Client._meta.pk, pk, connection):  # else no row of hers, as the ORM says without a query
        row = read_one(sql, [trainer.studio_id, pk], client, recorder, latest, lead, studio)
    if row is None:
        raise Http404("No client matches the given query.")
    her, recorded_by, latest_assessment, trainer_row, studio_row, facts = row
    her.consent_recorded_by, her.latest_assessment = recorded_by, latest_assessment  # None where she has none
    her.trainer, her.studio = trainer_row, studio_row
    for (name, fact), value in zip(PAGE_FACTS.items(), facts, strict=True):
        setattr(her, name, converted(fact, value, connection))
    return her


def full_latest_assessment(client, assessments):
    """Her latest assessment with every measurement (who may run reads them): the one her row
    names, loaded with it, when it is the latest listed; else read afresh."""
    if not assessments:
        return None
    latest = client.latest_assessment if client.latest_assessment_id == assessments[0].pk else client.assessments.first()
    if latest is not None:
        latest.client = client
    return latest


def client_context(client, logged=None):
    # How many in all rides on the same query, bounded however long her history.
    assessments, total = latest_summaries(client, HISTORY_ON_PAGE)
    context = {
        "client": client,
        "assessments": assessments,
        "earlier": {"total": total} if total > len(assessments) else None,
        "latest": assessments[0] if assessments else None,
        "share_link": usable_link_of(client) if client.has_link else None,
        "share_form": ShareLinkForm(),
    }
    context["red_flags"] = red_flag_rows(client) if client.has_open_red_flag else []
    if strength := current_strength_plan(client) if client.has_strength_plan else None:
        strength.recent_logs = list(strength.logs.select_related("logged_by")[:5])
    context.update(strength_plan=strength, strength_paused=paused_words(client, "trainer"), strength_no_plan=RED_FLAG_NO_PLAN)
    # Assessments deleted for a reason stay on her record's history (the latest few; her export has all),
    # without what each recorded (her export has that too).
    context["deleted_assessments"] = (
        list(client.deleted_assessments.select_related("deleted_by").defer("record", "changes")[:DELETED_SHOWN])
        if client.has_deleted_assessments else [])
    latest = full_latest_assessment(client, assessments)
    # Her row is not read again with it: the programme takes hers as this page read it (its consent's
    # recorder, her ended programmes).
    if programme := current_programme_for_card(client):
        programme.__dict__["latest_assessment"] = latest  # who may run: her latest, read once for the page
        # After logging without JavaScript: the card shows that log's outcome where #programme lands.
        context.update(card_context(programme, logged=logged))
    elif client.has_consent:
        context["running_decision"] = running_decision_for(client, latest, timezone.localdate())
    if not programme and client.has_ended_programme:
        # Ended programmes, to reopen or read their history, while she has no current one.
        context["ended_programmes"] = client.programmes.filter(ended_at__isnull=False).select_related("plan")
    return context


@login_required
def client_edit(request, pk):
    client = get_client_for_trainer(request, pk)
    audit.record_view(request, client, "viewed_client", "Her details, to edit")
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record(request, client, "changed_client", ", ".join(form.changed_data))
        if "baby_date_of_birth" in form.changed_data:
            client.recompute_verdicts()
        messages.success(request, "Her details are saved.")
        return redirect(client)
    return render(request, "clients/form.html", {"form": form, "client": client})


@login_required
@require_POST
def client_archive(request, pk):
    client = get_client_for_trainer(request, pk)
    client.archive()
    audit.record(request, client, "archived_client")
    messages.success(request, f"{client.full_name} is archived. You can restore her from the archived list.")
    return redirect("clients:list")


@login_required
@require_POST
def client_restore(request, pk):
    client = get_client_for_trainer(request, pk)
    client.restore()
    audit.record(request, client, "restored_client")
    messages.success(request, f"{client.full_name} is restored.")
    return redirect(client)


@login_required
@require_POST
def client_consent(request, pk):
    client = get_client_for_trainer(request, pk)
    if request.POST.get("action") == "withdraw":
        client.withdraw_consent(request.user)
        audit.record(request, client, "consent_withdrawn")
        messages.success(request, "Consent withdrawn: no new assessments can be recorded for her.")
    else:
        client.record_consent(request.user)
        audit.record(request, client, "consent_recorded")
        messages.success(request, "Consent to hold her health data is recorded.")
    return redirect(client)


@login_required
def client_delete(request, pk):
    """Erasing her for good: her lead trainer's or an owner's to do (privacy.erasure.may_erase)."""
    client = get_client_for_trainer(request, pk)
    if not may_erase(request.user, client):
        raise PermissionDenied("Only her lead trainer or the studio's owner can delete her.")
    audit.record_view(request, client, "viewed_client", "Deletion page")
    form = DeleteClientForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        name = client.full_name
        erase_client(client, request)  # with everything of hers; logged without her name
        messages.success(request, f"Everything about {name} has been permanently deleted.")
        return redirect("clients:list")
    return render(request, "clients/delete.html", {"client": client, "form": form})


@login_required
def home(request):
    """Clients needing attention first, then what happened recently."""
    whose = whose_clients(request)
    return render(request, "clients/home.html", {**needs_attention(request.user, whose["mine"], whose["everyone"]), **whose})


@login_required
@require_POST
def attention_ack(request, pk):
    """"Seen" or "Referral sent" on a worklist entry: who and when, and the entry leaves home
    until something new happens for her (the fingerprint of what was seen changes)."""
    client = get_client_for_trainer(request, pk)
    form = AttentionAckForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That could not be recorded: reload the page and try again.")
        return redirect("home")
    back = form.cleaned_data.pop("back")
    everyone = "clients=all&" if form.cleaned_data.pop("clients") else ""
    ack = AttentionAck.record(client, request.user, **form.cleaned_data)
    audit.record(request, client, "attention_acknowledged", ack.get_kind_display())
    messages.success(request, f"{ack.get_kind_display()} recorded for {client.full_name}. "
                              "She is back on this list when something new happens.")
    if back:
        return redirect(f"{reverse('clients:attention')}?{everyone}page={back}")
    return redirect(f"{reverse('home')}?clients=all" if everyone else "home")


@login_required
def attention_all(request):
    """Everyone who needs her, most urgent first, a page at a time (home shows the first few)."""
    whose = whose_clients(request)
    page = worklist_page(request.user, timezone.localdate(), request.GET.get("page"), ALL_PAGE_SIZE,
                         whose["mine"], whose["everyone"])
    return render(request, "clients/attention_all.html", {"page": page, "attention": page.object_list, "nav": "home",
                                                          "pager_query": query_string(clients="all" if whose["everyone"] else ""),
                                                          **whose})


def progress_url(request, token):
    """Her private link, to copy or email."""
    return absolute_url(request, reverse("reports:progress", args=[token]))


@login_required
@require_POST
def share_link_create(request, pk):
    """Make (or remake) her private link. The link is shown this once: only its hash is kept."""
    client = get_client_for_trainer(request, pk)
    form = ShareLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["expires_on"]))
        return redirect(f"{client.get_absolute_url()}#private-link")
    link, token = ShareLink.issue(client, request.user, form.cleaned_data["expires_on"])
    audit.record(request, client, "link_created")
    return private(render(request, "clients/share_link.html", link_context(request, client, link, token, new=True)))


def link_context(request, client, link, token, new=False):
    url = progress_url(request, token)
    return {"client": client, "link": link, "token": token, "url": url, "new": new,
            "qr": qr_svg(url, f"QR code of {client.first_name}'s private link, to scan with her phone's camera", scale=6)}


@login_required
@require_safe
def share_link_show(request, pk):
    """Her live link again, to copy, email or scan in the studio (issue 22): kept encrypted, never
    plain (ShareLink.token()), so showing it does not mean revoking it."""
    client = get_client_for_trainer(request, pk)
    link = client.share_links.usable().first()
    token = link.token() if link else None
    if token is None:
        messages.error(request, "No link of hers can be shown: make a new one (one made before links were kept "
                                "to show again stops working when you do)." if link else "She has no active link: make one.")
        return redirect(f"{client.get_absolute_url()}#private-link")
    audit.record(request, client, "link_shown")
    return private(render(request, "clients/share_link.html", link_context(request, client, link, token)))


@login_required
@require_POST
def share_link_email(request, pk):
    """Email her link: the one just made (its token posted), or her live link, shown again."""
    client = get_client_for_trainer(request, pk)
    token = request.POST.get("token", "")
    link = ShareLink.objects.find(token) if token else client.share_links.usable().first()
    if link is not None and not token:
        token = link.token() or ""
    if link is None or link.client_id != client.pk or not token:
        messages.error(request, "That link is no longer valid: make a new one to email.")
        return redirect(client)
    if not client.email:
        messages.error(request, "Add her email address to her details first.")
        return redirect(client)
    # Signed by her lead trainer, whoever of the studio sends it: the trainer her page and report name.
    context = {"client": client, "trainer": client.trainer, "url": progress_url(request, token), "link": link}
    # One line whatever was saved: a line break in a Subject is refused (it would be header injection).
    business = " ".join(client.letterhead_name.split())
    send_mail(
        subject=f"Your running progress from {business}",
        message=render_to_string("clients/share_link_email.txt", context),
        from_email=None,
        recipient_list=[client.email],
    )
    audit.record(request, client, "link_emailed")
    messages.success(request, f"Her private link is emailed to {client.email}.")
    return redirect(f"{client.get_absolute_url()}#private-link")


@login_required
@require_POST
def share_link_revoke(request, pk):
    client = get_client_for_trainer(request, pk)
    client.share_links.revoke()
    audit.record(request, client, "link_revoked")
    messages.success(request, "Her private link is revoked: it no longer opens anything.")
    return redirect(f"{client.get_absolute_url()}#private-link")


@login_required
@require_POST
def client_reminders(request, pk):
    """Her trainer records her consent to email reminders, or turns them off (she can too, from
    her page or any reminder's unsubscribe link). A state is posted, so a repeat changes nothing."""
    client = get_client_for_trainer(request, pk)
    wanted = request.POST.get("reminders")
    if wanted not in ("on", "off"):
        messages.error(request, "Choose whether she wants email reminders.")
    elif wanted == "on" and not client.email:
        messages.error(request, "Add her email address first: reminders go to it.")
    elif client.set_reminders(wanted == "on", by_her=False):
        audit.record(request, client, f"reminders_{wanted}")
        messages.success(request, "Email reminders are on, with her consent." if wanted == "on"
                         else "Email reminders are off.")
    return redirect(f"{client.get_absolute_url()}#private-link")


@login_required
@require_POST
def self_logging(request, pk):
    """Let her log her own sessions through her private link, or stop it. The form posts the
    state it asks for ("on" / "off"), so a repeated post changes nothing twice."""
    client = get_client_for_trainer(request, pk)
    wanted = request.POST.get("self_logging")
    if wanted not in ("on", "off"):
        messages.error(request, "Choose whether she may log her own sessions.")
    elif client.set_self_logging(wanted == "on"):
        audit.record(request, client, f"self_logging_{wanted}")
        messages.success(request, "She can now log her own sessions from her link." if wanted == "on"
                         else "Self-logging is off: she can no longer log sessions from her link.")
    return redirect(f"{client.get_absolute_url()}#private-link")

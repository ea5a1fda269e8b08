"""Reminder emails (issue 23 §1): hers, which she or her trainer with her consent turned on, and
her trainer's daily digest. `manage.py send_reminders` runs every hour: it works out what is due
(reports/reminder_rules.py), claims each (her, kind, day) by inserting its unique Reminder row,
and only the run whose insert wins queues the sending on the worker. Never check-then-send: two
schedulers that overlap both try the insert and the database keeps one.

No health detail in any email: her first name, her trainer's name, "your session today", a
link to her page; the digest says how many of the clients she leads are on the worklist, not why."""

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Trainer
from clients.models import Client, ShareLink
from guideline.protocol import REASSESS_AFTER
from programmes.models import REST_DAYS_BETWEEN_SESSIONS, Programme
from reports.models import Reminder
from reports.reminder_rules import Facts, awake, due_kinds
from reports.unsubscribe import path_for

from .attention import worklist_ids

logger = logging.getLogger(__name__)

SUBJECTS = {
    "session_day": "Your walk–run session today",
    "missed": "Ready for your next session?",
    "check_up": "Your check-up is coming up",
    "digest": "Your clients today",
}


def zone(name):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def eligible():
    """Clients whose reminders may go: turned on, an email address, a usable private link (not
    revoked or expired, consent in place, not archived), no red flag open. A pause or a referral
    pending is read from her programme in facts_for()."""
    usable = ShareLink.objects.usable().filter(client=OuterRef("pk"))
    return (Client.objects.filter(reminders_since__isnull=False, red_flag_since__isnull=True)
            .exclude(email="").filter(Exists(usable)).select_related("trainer", "studio", "latest_assessment"))


def facts_for(clients):
    """{client pk: Facts}, None for one whose programme is paused or waiting on a referral (no
    reminder at all while a pause is open). One query for all their current programmes."""
    programmes = {row["client_id"]: row for row in Programme.objects.filter(
        client__in=[c.pk for c in clients], ended_at__isnull=True,
    ).annotate(last_done=Max("logs__done_on")).values("client_id", "stored_status", "stored_referral", "start_date", "last_done")}
    found = {}
    for client in clients:
        programme = programmes.get(client.pk)
        if programme and (programme["stored_status"] == "paused" or programme["stored_referral"]):
            found[client.pk] = None
            continue
        planned = None
        if programme and programme["stored_status"] == "active":
            last = programme["last_done"]
            planned = last + timedelta(days=REST_DAYS_BETWEEN_SESSIONS + 1) if last else programme["start_date"]
        latest = client.latest_assessment
        found[client.pk] = Facts(planned, latest.assessed_on + REASSESS_AFTER if latest else None)
    return found


def queue_sending(reminder_pk):
    send_reminder.enqueue(reminder_pk)


def claim(kind, day, *, client=None, trainer=None):
    """Insert the (recipient, kind, day) row; the Reminder when this run won it, else None. The
    sending is queued with it, in the same transaction (the queue is a table in this database)."""
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(client=client, trainer=trainer if client is None else None, kind=kind, day=day)
            queue_sending(reminder.pk)
    except IntegrityError:
        return None
    except Exception:  # one reminder that cannot be queued must not stop the run for everyone else
        logger.exception("Could not queue a %s reminder: it is claimed again at the next run", kind)
        return None
    return reminder


def run(now=None):
    """One scheduler run: claim and queue whatever is due now; returns the reminders claimed."""
    now = now or timezone.now()
    claimed = []
    clients = list(eligible())
    all_facts = facts_for(clients) if clients else {}
    for client in clients:
        facts = all_facts.get(client.pk)
        if facts is None:
            continue
        local = now.astimezone(zone(client.time_zone))
        for kind in due_kinds(facts, local):
            if reminder := claim(kind, local.date(), client=client):
                claimed.append(reminder)
    local = now.astimezone(zone(settings.TIME_ZONE))
    if awake(local):
        for trainer in Trainer.objects.filter(daily_digest=True, is_active=True).exclude(email=""):
            if worklist_ids(trainer, local.date(), limit=1, mine=True)[1] and (reminder := claim("digest", local.date(), trainer=trainer)):
                claimed.append(reminder)
    return claimed


def still_wanted(reminder):
    """At sending time: she may have turned reminders off, or her link gone, since it was claimed."""
    if reminder.client_id is None:
        return reminder.trainer.daily_digest and reminder.trainer.is_active
    return eligible().filter(pk=reminder.client_id).exists()


def message_for(reminder, site_url=None):
    """The email (plain text and HTML), with a one-click unsubscribe (RFC 8058 headers)."""
    site = (site_url if site_url is not None else settings.SITE_URL) or "http://localhost:8000"
    if reminder.client_id is not None:
        client = reminder.client
        link = client.share_links.usable().first()
        token = link.token() if link else None
        context = {"first_name": client.first_name, "trainer": client.trainer.full_name,
                   "page_url": f"{site}/p/{token}/" if token else "",
                   "unsubscribe_url": site + path_for(client=client)}
        to = client.email
    else:
        trainer = reminder.trainer
        context = {"trainer": trainer.full_name, "count": worklist_ids(trainer, reminder.day, limit=1, mine=True)[1],
                   "home_url": f"{site}/", "unsubscribe_url": site + path_for(trainer=trainer)}
        to = trainer.email
    context["kind"] = reminder.kind
    text = render_to_string(f"reminders/{reminder.kind}.txt", context)
    html = render_to_string(f"reminders/{reminder.kind}.html", context)
    message = EmailMultiAlternatives(SUBJECTS[reminder.kind], text, None, [to], headers={
        "List-Unsubscribe": f"<{context['unsubscribe_url']}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    })
    message.attach_alternative(html, "text/html")
    return message


@task
def send_reminder(reminder_pk):
    """Send one claimed reminder, once: a task run twice (a worker lost mid-send) finds sent_at set."""
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update(of=("self",)).select_related("client__trainer", "client__studio", "trainer").filter(
            pk=reminder_pk, sent_at__isnull=True, skipped="").first()
        if reminder is None:
            return False
        if not still_wanted(reminder):
            reminder.skipped = "no longer wanted (turned off, link revoked or expired, archived, red flag or pause)"
            reminder.save(update_fields=["skipped"])
            return False
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["sent_at"])
    try:
        message_for(reminder).send()
    except OSError:
        logger.exception("Could not send a reminder email")
        Reminder.objects.filter(pk=reminder.pk).update(sent_at=None, skipped="the mail server refused it")
        return False
    return True

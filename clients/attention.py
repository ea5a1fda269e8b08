"""The trainer's home: which clients need her attention, and why."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from assessments.models import Assessment
from programmes.models import Programme, SessionLog, attach_latest_assessments

from .models import Client, weeks_between

REASSESS_AFTER = timedelta(weeks=4)


@dataclass(frozen=True)
class Attention:
    client: Client
    kind: str  # "paused" | "red_flag" | "reassess" | "finished"
    title: str
    detail: str


def clients_with_latest_assessment(trainer):
    latest = Assessment.objects.filter(client=OuterRef("pk")).order_by("-assessed_on", "-pk")
    return Client.objects.for_trainer(trainer).active().annotate(
        latest_verdict=Subquery(latest.values("verdict")[:1]),
        latest_assessed_on=Subquery(latest.values("assessed_on")[:1]),
        latest_assessment_id=Subquery(latest.values("pk")[:1]),
    )


def needs_attention(trainer):
    today = timezone.localdate()
    clients = list(clients_with_latest_assessment(trainer))
    programmes = {
        p.client_id: p
        for p in attach_latest_assessments(
            Programme.objects.for_trainer(trainer).current().filter(client__archived_at__isnull=True).with_progress(blocks=False)
        )
    }
    items = []
    for client in clients:
        programme = programmes.get(client.pk)
        status = programme.status if programme else None
        if status == "paused":
            detail = " ".join(alert.message for alert in programme.state.alerts)
            items.append(Attention(client, "paused", programme.status_label, detail))
        elif status == "held":
            items.append(Attention(client, "paused", programme.status_label, programme.running_decision.reason))
        if client.latest_verdict == "refer":
            items.append(Attention(client, "red_flag", "Red flag at her last assessment",
                                   f"Assessed {client.latest_assessed_on:%-d %b %Y}: refer to the GP or a pelvic health physiotherapist."))
        elif client.latest_verdict == "not_yet" and client.latest_assessed_on <= today - REASSESS_AFTER:
            weeks = weeks_between(client.latest_assessed_on, today)
            items.append(Attention(client, "reassess", "Reassessment due",
                                   f"Not yet ready {weeks} weeks ago ({client.latest_assessed_on:%-d %b %Y})."))
        if status == "finished":
            items.append(Attention(client, "finished", "Programme finished", "Reassess her and plan what comes next."))
    order = {"paused": 0, "red_flag": 1, "reassess": 2, "finished": 3}
    items.sort(key=lambda item: (order[item.kind], item.client.full_name))
    recent_logs = SessionLog.objects.filter(programme__client__trainer=trainer).select_related("programme__client").order_by("-created_at")[:8]
    recent_assessments = Assessment.objects.for_trainer(trainer).summaries().select_related("client").order_by("-updated_at")[:8]
    activity = sorted(
        [("session", log.created_at, log) for log in recent_logs] + [("assessment", a.updated_at, a) for a in recent_assessments],
        key=lambda entry: entry[1], reverse=True,
    )[:10]
    return {"attention": items, "activity": activity, "client_count": len(clients), "nav": "home"}

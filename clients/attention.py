"""The trainer's home: a worklist of the clients who need her, each once with all her reasons,
and the client list's status column. Both read every client in a fixed number of queries."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Max, OuterRef, Subquery
from django.utils import timezone

from assessments.models import Assessment
from programmes.models import AttentionAck, Programme, SessionLog, attach_latest_assessments

from .models import Client, weeks_between

REASSESS_AFTER = timedelta(weeks=4)
# A week restarted this many times in a row: she is stuck, look at her plan or her load.
REPEATS_TO_FLAG = 2
# Worklist order: what stops running first, then what needs a decision, then good news.
ORDER = ("paused", "red_flag", "held", "reassess", "pain", "repeats", "finished")
# Reasons about a referral: the entry offers "Referral sent" as well as "Seen".
REFERRAL_KINDS = ("paused", "red_flag")


@dataclass(frozen=True)
class Reason:
    kind: str  # one of ORDER
    title: str
    detail: str


@dataclass(frozen=True)
class Entry:
    """One client on the worklist, with every reason she is there."""

    client: Client
    reasons: tuple[Reason, ...]
    fingerprint: str  # what the trainer saw: an acknowledgement clears the entry while it is unchanged

    @property
    def kind(self):
        return self.reasons[0].kind

    @property
    def offers_referral_sent(self):
        return any(reason.kind in REFERRAL_KINDS for reason in self.reasons)

    @property
    def anchor(self):
        return "" if self.kind in ("red_flag", "reassess") else "#programme"

    @property
    def last_ack(self):
        """The trainer's last acknowledgement, when something new has happened since."""
        client = self.client
        if not client.ack_kind:
            return ""
        label = dict(AttentionAck.KINDS)[client.ack_kind]
        return f"{label} by {client.ack_by or 'a former trainer'} on {timezone.localtime(client.ack_at):%-d %b %Y}, before this."


def reassessment_due(verdict, assessed_on, today):
    return verdict == "not_yet" and assessed_on is not None and assessed_on <= today - REASSESS_AFTER


def with_latest_assessment(clients):
    latest = Assessment.objects.filter(client=OuterRef("pk")).order_by("-assessed_on", "-pk")
    return clients.annotate(
        latest_verdict=Subquery(latest.values("verdict")[:1]),
        latest_assessed_on=Subquery(latest.values("assessed_on")[:1]),
        latest_assessment_id=Subquery(latest.values("pk")[:1]),
    )


def with_current_programme(clients):
    return clients.annotate(current_programme_id=Subquery(
        Programme.objects.filter(client=OuterRef("pk"), ended_at__isnull=True).values("pk")[:1]
    ))


def clients_with_latest_assessment(trainer):
    return with_latest_assessment(Client.objects.for_trainer(trainer).active())


def with_last_ack(clients):
    ack = AttentionAck.objects.filter(client=OuterRef("pk")).order_by("-at", "-pk")
    latest = Assessment.objects.filter(client=OuterRef("pk")).order_by("-assessed_on", "-pk")
    return clients.annotate(
        latest_assessment_changed=Subquery(latest.values("updated_at")[:1]),
        ack_fingerprint=Subquery(ack.values("fingerprint")[:1]),
        ack_kind=Subquery(ack.values("kind")[:1]),
        ack_at=Subquery(ack.values("at")[:1]),
        ack_by=Subquery(ack.values("by__full_name")[:1]),
    )


def current_programmes(trainer, client_ids=None):
    """Her clients' current programmes by client id, ready for state, status and the rule."""
    programmes = Programme.objects.for_trainer(trainer).current()
    programmes = (programmes.filter(client__archived_at__isnull=True) if client_ids is None
                  else programmes.filter(client_id__in=client_ids))
    programmes = programmes.annotate(last_event=Max("history__pk"), resume_count=Count("resumes", distinct=True))
    return {p.client_id: p for p in attach_latest_assessments(programmes.with_progress(blocks=False))}


def reasons_for(client, programme, today):
    reasons = []
    status = programme.status if programme else None
    if status == "paused":
        detail = " ".join(alert.message for alert in programme.state.alerts)
        reasons.append(Reason("paused", programme.status_label, detail))
    elif status == "held":
        reasons.append(Reason("held", programme.status_label, programme.running_decision.reason))
    if client.latest_verdict == "refer":
        reasons.append(Reason("red_flag", "Red flag at her last assessment",
                              f"Assessed {client.latest_assessed_on:%-d %b %Y}: refer to the GP or a pelvic health physiotherapist."))
    elif reassessment_due(client.latest_verdict, client.latest_assessed_on, today):
        weeks = weeks_between(client.latest_assessed_on, today)
        reasons.append(Reason("reassess", "Reassessment due",
                              f"Not yet ready {weeks} weeks ago ({client.latest_assessed_on:%-d %b %Y})."))
    if programme is not None:
        latest = max(programme.logs.all(), key=lambda log: (log.created_at, log.pk), default=None)
        if latest is not None and "pain" in latest.symptoms:
            reasons.append(Reason("pain", "Pain in her latest session",
                                  f"Pain (knee, hip, shin…) logged in week {latest.week}, session {latest.session_number} "
                                  f"on {latest.done_on:%-d %b %Y}: check her load and how she runs."))
        if status == "active" and programme.state.repeats >= REPEATS_TO_FLAG:
            reasons.append(Reason("repeats", f"Week {programme.state.week} repeated {programme.state.repeats} times",
                                  "She keeps restarting this week: look at her sessions and her plan."))
    if status == "finished":
        reasons.append(Reason("finished", "Programme finished", "Reassess her and plan what comes next."))
    return sorted(reasons, key=lambda reason: ORDER.index(reason.kind))


def fingerprint(client, programme, reasons):
    """Changes with anything new: her reasons, a newer or edited assessment, a log, a
    correction, a resume or any other programme event."""
    parts = [
        ",".join(reason.kind for reason in reasons), client.latest_assessment_id, client.latest_assessment_changed,
        programme.pk if programme else "", programme.log_sequence if programme else "",
        programme.last_event if programme else "", programme.resume_count if programme else "",
    ]
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def worklist(trainer, today):
    """[Entry] for every active client who needs her, each once, and how many clients she has."""
    clients = list(with_last_ack(clients_with_latest_assessment(trainer)))
    programmes = current_programmes(trainer)
    entries = []
    for client in clients:
        programme = programmes.get(client.pk)
        if not (reasons := reasons_for(client, programme, today)):
            continue
        entry = Entry(client, tuple(reasons), fingerprint(client, programme, reasons))
        if client.ack_fingerprint != entry.fingerprint:
            entries.append(entry)
    entries.sort(key=lambda entry: (ORDER.index(entry.kind), entry.client.full_name))
    return entries, len(clients)


def needs_attention(trainer):
    today = timezone.localdate()
    entries, client_count = worklist(trainer, today)
    recent_logs = (SessionLog.objects.filter(programme__client__trainer=trainer).select_related("programme__client")
                   .order_by("-created_at")[:8])
    recent_assessments = Assessment.objects.for_trainer(trainer).summaries().select_related("client").order_by("-updated_at")[:8]
    activity = sorted(
        [("session", log.created_at, log) for log in recent_logs] + [("assessment", a.updated_at, a) for a in recent_assessments],
        key=lambda entry: entry[1], reverse=True,
    )[:10]
    return {"attention": entries, "activity": activity, "client_count": client_count, "nav": "home"}


@dataclass(frozen=True)
class ClientStatus:
    """The client list's status column: latest verdict, programme state, reassessment due."""

    verdict: str | None
    assessed_on: object
    programme_label: str
    programme_status: str
    reassess_due: bool


def statuses_for(trainer, clients, today):
    """{client id: ClientStatus} for a page of clients annotated with_latest_assessment() and
    with_current_programme()."""
    # No query at all for programmes when none of these clients has one.
    with_programme = [client.pk for client in clients if client.current_programme_id]
    programmes = current_programmes(trainer, with_programme) if with_programme else {}
    statuses = {}
    for client in clients:
        programme = programmes.get(client.pk)
        statuses[client.pk] = ClientStatus(
            client.latest_verdict, client.latest_assessed_on,
            programme.status_label if programme else "", programme.status if programme else "",
            reassessment_due(client.latest_verdict, client.latest_assessed_on, today),
        )
    return statuses

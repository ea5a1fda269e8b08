"""The trainer's home: a worklist of the clients who need her, each once with all her reasons,
and the client list's status column. Both read the programmes' stored state (kept in step by
Programme.refresh_state()), so the worklist is one SQL query however big her book is."""

from dataclasses import dataclass

from django.db.models import (
    BooleanField, Case, CharField, F, FilteredRelation, IntegerField, OuterRef, Q, Subquery, Value, When,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from assessments import protocol
from assessments.models import Assessment
from assessments.protocol import REASSESS_AFTER
from programmes import progression
from programmes.models import AttentionAck, SessionLog, red_flags_of, status_label

from clients.models import Client, weeks_between

# Home shows the most urgent; "See all" pages through the rest.
HOME_LIMIT = 20
ALL_PAGE_SIZE = 50
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
    """Her latest assessment's verdict and date: a join on the id her row keeps."""
    return clients.annotate(
        latest_verdict=F("latest_assessment__verdict"),
        latest_assessed_on=F("latest_assessment__assessed_on"),
    )


def with_current_programme(clients):
    """Her current programme's stored state (never a replay), joined: at most one per client."""
    return clients.annotate(
        current=FilteredRelation("programmes", condition=Q(programmes__ended_at__isnull=True)),
        current_programme_id=F("current__pk"),
        programme_status=F("current__stored_status"),
        programme_referral=F("current__stored_referral"),
        programme_week=F("current__stored_week"),
        programme_weeks=F("current__stored_weeks"),
    )


def with_last_ack(clients):
    ack = AttentionAck.objects.filter(client=OuterRef("pk")).order_by("-at", "-pk")
    return clients.annotate(
        latest_assessment_version=F("latest_assessment__version"),
        ack_fingerprint=Subquery(ack.values("fingerprint")[:1]),
        ack_kind=Subquery(ack.values("kind")[:1]),
        ack_at=Subquery(ack.values("at")[:1]),
        ack_by=Subquery(ack.values("by__full_name")[:1]),
    )


def reason_conditions(today):
    """{reason: Q} over the annotations of worklist_rows(), in ORDER."""
    active = Q(programme_status="active")
    return {
        "paused": Q(programme_status="paused"),
        "red_flag": Q(red_flag_since__isnull=False),
        "held": Q(programme_status="held"),
        "reassess": Q(latest_verdict="not_yet", latest_assessed_on__lte=today - REASSESS_AFTER),
        "pain": Q(current__latest_log_pain=True),
        "repeats": active & Q(programme_repeats__gte=REPEATS_TO_FLAG),
        "finished": Q(programme_status="finished"),
    }


def text(expression):
    return Coalesce(Cast(expression, CharField()), Value(""))


def worklist_rows(trainer, today):
    """Every active client who needs her, in ONE query over the programmes' stored state:
    each client once with a flag per reason, most urgent first, the ones she acknowledged
    left out while nothing new has happened."""
    clients = with_last_ack(with_current_programme(with_latest_assessment(Client.objects.for_trainer(trainer).active())))
    clients = clients.annotate(
        programme_repeats=F("current__stored_repeats"), programme_detail=F("current__stored_detail"),
        programme_version=F("current__version"),
        pain_week=F("current__latest_log__week"), pain_session=F("current__latest_log__session_number"),
        pain_on=F("current__latest_log__done_on"),
    )
    conditions = reason_conditions(today)
    flags = {f"is_{kind}": Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())
             for kind, condition in conditions.items()}
    urgency = Case(*(When(condition, then=Value(rank)) for rank, condition in enumerate(conditions.values())),
                   default=Value(None), output_field=IntegerField())
    reasons_mask = sum((Case(When(condition, then=Value(1 << bit)), default=Value(0)) for bit, condition in
                        enumerate(conditions.values())), Value(0))
    # What the trainer saw: her reasons, her latest assessment and its edits, her programme and
    # every operation on it. "Seen" keeps her off the list while this is unchanged.
    fingerprint = Concat(
        text(reasons_mask), Value("-"), text(F("latest_assessment_id")), Value("-"), text(F("latest_assessment_version")),
        Value("-"), text(F("current_programme_id")), Value("-"), text(F("programme_version")), output_field=CharField(),
    )
    clients = clients.annotate(**flags, urgency=urgency, fingerprint=fingerprint).filter(urgency__isnull=False)
    clients = clients.filter(Q(ack_fingerprint__isnull=True) | ~Q(ack_fingerprint=F("fingerprint")))
    return clients.order_by("urgency", "full_name", "pk")


def reasons_for(client, today):
    """Her reasons in words, from the stored state worklist_rows() annotated."""
    label = status_label(client.programme_status, client.programme_referral, client.programme_week, client.programme_weeks)
    reasons = []
    if client.is_paused:
        reasons.append(Reason("paused", label, client.programme_detail))
    if client.is_red_flag:
        reasons.append(Reason("red_flag", f"Red flag open since {client.red_flag_since:%-d %b %Y}", red_flag_detail(client)))
    if client.is_held:
        reasons.append(Reason("held", label, client.programme_detail))
    if client.is_reassess:
        weeks = weeks_between(client.latest_assessed_on, today)
        reasons.append(Reason("reassess", "Reassessment due",
                              f"Not yet ready {weeks} weeks ago ({client.latest_assessed_on:%-d %b %Y})."))
    if client.is_pain:
        reasons.append(Reason("pain", "Pain in her latest session",
                              f"Pain (knee, hip, shin…) logged in week {client.pain_week}, session {client.pain_session} "
                              f"on {client.pain_on:%-d %b %Y}: check her load and how she runs."))
    if client.is_repeats:
        reasons.append(Reason("repeats", f"Week {client.programme_week} repeated {client.programme_repeats} times",
                              "She keeps restarting this week: look at her sessions and her plan."))
    if client.is_finished:
        reasons.append(Reason("finished", "Programme finished", "Reassess her and plan what comes next."))
    return tuple(reasons)


def red_flag_detail(client):
    """What is open and where it was found, then whom to send her to, from the one signposting
    definition (bleeding: her GP or midwife, urgently if heavy; chest pain: 999 ...)."""
    flags = red_flags_of(client)
    found = "; ".join(f"{progression.symptom_names(flag.codes).capitalize()} {flag.where}" for flag in flags)
    return (f"{found}. {protocol.route_text(progression.red_flag_codes(flags), 'trainer')} No running until a new "
            "assessment with the full symptom screen finds no red flag.")


def entries(rows, today):
    """[Entry] for the rows of worklist_rows() (a page of them)."""
    return [Entry(client, reasons_for(client, today), client.fingerprint) for client in rows]


def worklist(trainer, today):
    """[Entry] for every active client who needs her, each once, uncapped."""
    return entries(worklist_rows(trainer, today), today)


def needs_attention(trainer):
    today = timezone.localdate()
    rows = worklist_rows(trainer, today)
    attention = entries(rows[:HOME_LIMIT], today)
    client_count = Client.objects.for_trainer(trainer).active().count()
    attention_count = len(attention) if len(attention) < HOME_LIMIT else rows.count()
    recent_logs = (SessionLog.objects.filter(programme__client__trainer=trainer).select_related("programme__client")
                   .order_by("-created_at")[:8])
    recent_assessments = Assessment.objects.for_trainer(trainer).summaries().select_related("client").order_by("-updated_at")[:8]
    activity = sorted(
        [("session", log.created_at, log) for log in recent_logs] + [("assessment", a.updated_at, a) for a in recent_assessments],
        key=lambda entry: entry[1], reverse=True,
    )[:10]
    return {"attention": attention, "attention_count": attention_count, "activity": activity,
            "client_count": client_count, "nav": "home"}


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
    with_current_programme(): no further query, and no replay."""
    return {
        client.pk: ClientStatus(
            client.latest_verdict, client.latest_assessed_on,
            status_label(client.programme_status, client.programme_referral, client.programme_week, client.programme_weeks)
            if client.current_programme_id else "",
            client.programme_status or "",
            reassessment_due(client.latest_verdict, client.latest_assessed_on, today),
        )
        for client in clients
    }

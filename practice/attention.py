"""The trainer's home: a worklist of the clients who need her, each once with all her reasons,
and the client list's status column. Both read the programmes' stored state (kept in step by
Programme.refresh_state()). Each client's row keeps the first day she is on the worklist
(worklist_from(), worked out at the end of every operation on her), so home reads only those
clients, through an index that starts from the trainer: it costs the same for 10 clients or
1,000, in a small installation or a large one."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, cached_property

from django.core.paginator import Page, Paginator
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q
from django.utils import timezone

from assessments.models import Assessment
from clients.models import Client, weeks_between
from guideline import protocol
from guideline.protocol import REASSESS_AFTER
from lib.urls import addresses
from programmes import progression, wellbeing
from programmes.models import REST_DAYS_BETWEEN_SESSIONS, Programme, SessionLog, red_flags_of, status_label

from .models import AttentionAck

# Home shows the most urgent; "See all" pages through the rest.
HOME_LIMIT = 20
ALL_PAGE_SIZE = 50
# A week restarted this many times in a row: she is stuck, look at her plan or her load.
REPEATS_TO_FLAG = 2
# Worklist order: what stops running first, then what needs a decision, then keeping her going,
# then good news.
ORDER = ("paused", "red_flag", "held", "reassess", "pain", "repeats", "recovery", "quiet", "due", "ready", "finished")
# The bits of "Seen"'s fingerprint: the kinds in the order they were added, so that adding a kind
# leaves the acknowledgements already recorded standing.
FINGERPRINT_KINDS = ("paused", "red_flag", "held", "reassess", "pain", "repeats", "finished", "quiet", "due", "ready",
                     "recovery")
# A check-up (a reassessment, REASSESS_AFTER after her latest assessment) is on the worklist from
# the week before it falls due, so the trainer can book it.
CHECK_UP_NOTICE = timedelta(days=6)
# Her next session is due a rest day after her last (DOMAIN.md "Pacing"), never before her start.
SESSION_GAP = timedelta(days=REST_DAYS_BETWEEN_SESSIONS + 1)
# A studio's Studio.quiet_after_days: how long without a session before her programme is quiet.
QUIET_AFTER_DAYS = 7
# Reasons about a referral: the entry offers "Referral sent" as well as "Seen".
REFERRAL_KINDS = ("paused", "red_flag")
# Home's "Recent activity": the latest of the assessments and sessions of the clients she worked
# with most recently (their row's last_activity_at, which each of them moves on).
RECENT_CLIENTS, RECENT_ITEMS = 10, 10


@dataclass(frozen=True)
class Action:
    """The next thing to do about a reason: a link, drawn as a button."""

    label: str
    url: str


@dataclass(frozen=True)
class Reason:
    kind: str  # one of ORDER
    title: str
    detail: str
    action: Action | None = None

    @property
    def icon(self):
        """The sign beside its title (hidden from screen readers: the title says it)."""
        return REASON_ICONS.get(self.kind, "✓")


REASON_ICONS = {"paused": "‖", "held": "‖", "red_flag": "⚠", "pain": "⚠", "reassess": "↻", "repeats": "↻", "recovery": "↻",
                "quiet": "…", "due": "▸"}  # any other (ready, finished): ✓


class EntryUrls:
    """The addresses a worklist entry links to, each reversed once for the page (lib/urls.py) and
    filled in for each client: 50 entries reversed up to 200 (issue 20)."""

    def __init__(self):
        self.page = addresses("clients:detail")
        self.ack = addresses("clients:attention_ack")
        self.link_show = addresses("clients:link_show")
        self.assign = addresses("programmes:assign")


@dataclass(frozen=True)
class Entry:
    """One client on the worklist, with every reason she is there."""

    client: Client
    kinds: tuple[str, ...]  # her reasons' kinds, most urgent first
    fingerprint: str  # what the trainer saw: an acknowledgement clears the entry while it is unchanged
    today: date
    ack: AttentionAck | None = None  # her last acknowledgement, when something new has happened since
    urls: EntryUrls = field(default_factory=EntryUrls)  # shared by a page's entries

    @cached_property
    def reasons(self):
        """Her reasons in words: worked out for the entries shown, not every one on the list."""
        return reasons_for(self.client, self.kinds, self.today, self.urls)

    @property
    def url(self):
        """Her page (client.get_absolute_url())."""
        return self.urls.page(self.client.pk)

    @property
    def ack_url(self):
        return self.urls.ack(self.client.pk)

    @property
    def kind(self):
        return self.kinds[0]

    @property
    def offers_referral_sent(self):
        return any(reason.kind in REFERRAL_KINDS for reason in self.reasons)

    @property
    def anchor(self):
        return "" if self.kind in ("red_flag", "reassess", "ready") else "#programme"

    @property
    def actions(self):
        """The next actions her reasons offer, each once, most urgent first."""
        return tuple(dict.fromkeys(reason.action for reason in self.reasons if reason.action))

    @property
    def last_ack(self):
        """The trainer's last acknowledgement, when something new has happened since."""
        if self.ack is None:
            return ""
        by = self.ack.by.full_name if self.ack.by else "a former trainer"
        return f"{self.ack.get_kind_display()} by {by} on {timezone.localtime(self.ack.at):%-d %b %Y}, before this."


def check_up_on(verdict, assessed_on):
    """When her check-up falls due: REASSESS_AFTER after an assessment that found her not yet
    ready, or ready (a refer verdict waits for her referral, a red flag for its own assessment)."""
    return assessed_on + REASSESS_AFTER if verdict in ("not_yet", "ready") and assessed_on is not None else None


def check_up_from(verdict, assessed_on):
    """The first day her check-up is on the worklist: the week before it falls due."""
    due = check_up_on(verdict, assessed_on)
    return due - CHECK_UP_NOTICE if due else None


def reassessment_due(verdict, assessed_on, today):
    """A check-up due this week or overdue (the worklist's "reassess", the client list's column)."""
    start = check_up_from(verdict, assessed_on)
    return start is not None and start <= today


def check_up_words(verdict, assessed_on, today):
    due = check_up_on(verdict, assessed_on)
    if due < today:
        return "Check-up overdue"
    return "Check-up due today" if due == today else f"Check-up due {due:%-d %b}"


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


@dataclass(frozen=True)
class WorklistState:
    """What her reasons are worked out from: her latest assessment and her current programme's
    stored state (never a replay)."""

    latest_verdict: str | None
    latest_assessed_on: date | None
    programme_status: str | None  # None: no current programme
    programme_repeats: int
    latest_log_pain: bool
    red_flag: bool = False  # a red flag open on her record (Client.open_red_flags)
    programme_start: date | None = None  # her current programme's start date
    last_session_on: date | None = None  # the latest date a session of it was logged for
    quiet_after: int = QUIET_AFTER_DAYS  # her studio's Studio.quiet_after_days
    recovery: bool = False  # little sleep or run down twice running (Programme.stored_recovery)


def next_session_on(state):
    """The day her next session is due on a running programme: a rest day after her last one,
    never before its start (DOMAIN.md "Pacing"); None when she is not running (held, paused,
    finished, no programme) or a red flag is open."""
    if state.programme_status != "active" or state.red_flag or state.programme_start is None:
        return None
    return max(state.last_session_on + SESSION_GAP, state.programme_start) if state.last_session_on else state.programme_start


def quiet_from(state):
    """The day her running programme goes quiet: `quiet_after` days without a session (since
    its start when none is logged yet)."""
    if next_session_on(state) is None:
        return None
    return max(state.last_session_on or state.programme_start, state.programme_start) + timedelta(days=state.quiet_after)


def standing_kinds(state):
    """Her reasons that hold whatever the day, until her records change (her row keeps them as
    worklist_kinds); the days bring the others (reason_kinds(), DAY_KIND_SQL)."""
    status = state.programme_status
    holds = {
        "paused": status == "paused",
        "red_flag": state.red_flag,
        "held": status == "held",
        "pain": state.latest_log_pain,
        "repeats": status == "active" and state.programme_repeats >= REPEATS_TO_FLAG,
        # Only while she is running: a pause or hold already brings her trainer to her.
        "recovery": status == "active" and state.recovery,
        "ready": state.latest_verdict == "ready" and status is None and not state.red_flag,
        "finished": status == "finished",
    }
    return [kind for kind in ORDER if holds.get(kind)]


def reason_kinds(state, today):
    """Her reasons, most urgent first (ORDER): the worklist's one definition of them, which
    home, "See all" and each client row's worklist_from read. Once a reason holds it holds on
    every later day until her records change (a due session goes quiet), which is what lets her
    row keep the first day (worklist_from) instead of a nightly job."""
    due, quiet = next_session_on(state), quiet_from(state)
    is_quiet = quiet is not None and quiet <= today
    by_day = {
        "reassess": reassessment_due(state.latest_verdict, state.latest_assessed_on, today),
        "quiet": is_quiet,
        "due": due is not None and due <= today and not is_quiet,  # quiet says more
    }
    standing = standing_kinds(state)
    return [kind for kind in ORDER if kind in standing or by_day.get(kind)]


def kind_bits(kinds):
    """Her reasons as the bits of "Seen"'s fingerprint (FINGERPRINT_KINDS)."""
    return sum(1 << FINGERPRINT_KINDS.index(kind) for kind in kinds)


def seen_records(assessment_id, assessment_version, programme_id, programme_version):
    """What "Seen"'s fingerprint records besides her reasons: her latest assessment and its edits,
    her programme and every operation on it."""
    return "-".join("" if part is None else str(part) for part in (assessment_id, assessment_version, programme_id,
                                                                    programme_version))


def worklist_from(state, today):
    """The first day she is on the worklist whatever "Seen" says: `today` when a reason holds
    now, else the first day one the days alone bring starts (a check-up's week, a session due,
    her programme going quiet), or None."""
    if reason_kinds(state, today):
        return today
    coming = [day for day in (check_up_from(state.latest_verdict, state.latest_assessed_on), next_session_on(state),
                              quiet_from(state)) if day is not None and day > today]
    return min(coming, default=None)


# What worklist_fields() reads of her current programme, in the order current_programme_sql() selects it.
CURRENT_COLUMNS = ("pk", "version", "client_id", "stored_status", "stored_repeats", "latest_log_pain", "start_date",
                   "last_session_on", "client__studio__quiet_after_days", "stored_recovery")


@cache  # the tables' names do not change while running
def current_programme_sql():
    """Her current programme's stored state, its latest session date (by the day it was done, not
    when it was logged: her pacing) and her studio's quiet_after_days, for the clients named by the
    one placeholder's list: read at the end of every operation on her, hand-written as worklist_sql()
    is (PostgreSQL and SQLite both speak it), since compiling it as expressions cost more than the
    database takes to run it."""
    table = {model: model._meta.db_table for model in (Programme, SessionLog, Client)}
    studios = Client._meta.get_field("studio").related_model._meta.db_table
    return f"""
    SELECT p.id, p.version, p.client_id, p.stored_status, p.stored_repeats, p.latest_log_pain, p.start_date,
           (SELECT l.done_on FROM {table[SessionLog]} l WHERE l.programme_id = p.id ORDER BY l.done_on DESC LIMIT 1),
           s.quiet_after_days, p.stored_recovery
    FROM {table[Programme]} p
    JOIN {table[Client]} c ON c.id = p.client_id
    JOIN {studios} s ON s.id = c.studio_id
    WHERE p.client_id IN ({{clients}}) AND p.ended_at IS NULL"""


def as_date(value):
    """A date column as a raw statement returns it: a date, or (SQLite, from a subquery) its ISO text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def current_programme_rows(client_ids, using=None):
    """{client id: {CURRENT_COLUMNS: value}} of these clients' current programmes (current_programme_sql)."""
    if not client_ids:
        return {}
    sql = current_programme_sql().replace("{clients}", ", ".join(["%s"] * len(client_ids)))
    with connections[using or DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql, list(client_ids))
        rows = [dict(zip(CURRENT_COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row["start_date"], row["last_session_on"] = as_date(row["start_date"]), as_date(row["last_session_on"])
        row["latest_log_pain"], row["stored_recovery"] = bool(row["latest_log_pain"]), bool(row["stored_recovery"])
    return {row["client_id"]: row for row in rows}


def worklist_fields(sender, clients, using=None, **kwargs):
    """clients/versions.py `deriving`: what her row keeps for the worklist, at the end of each
    operation: the first day she is on it, her reasons that hold whatever the day, the days the
    others start, and what "Seen" records besides her reasons (worklist_ids reads them all)."""
    today = timezone.localdate()
    current = current_programme_rows([pk for pk, _ in clients], using)
    red_flags = kwargs.get("red_flags") or {}
    found = {}
    for pk, latest in clients:
        programme = current.get(pk)
        state = WorklistState(
            latest.verdict if latest else None, latest.assessed_on if latest else None,
            programme["stored_status"] if programme else None, programme["stored_repeats"] if programme else 0,
            bool(programme and programme["latest_log_pain"]), bool(red_flags.get(pk)),
            programme["start_date"] if programme else None, programme["last_session_on"] if programme else None,
            programme["client__studio__quiet_after_days"] if programme else QUIET_AFTER_DAYS,
            recovery=bool(programme and programme["stored_recovery"]))
        found[pk] = {
            "on_worklist_from": worklist_from(state, today),
            "worklist_kinds": kind_bits(standing_kinds(state)),
            "check_up_from": check_up_from(state.latest_verdict, state.latest_assessed_on),
            "session_due_from": next_session_on(state),
            "quiet_from": quiet_from(state),
            "worklist_seen": seen_records(latest.pk if latest else None, latest.version if latest else None,
                                          programme["pk"] if programme else None,
                                          programme["version"] if programme else None),
        }
    return found


def refresh_worklist_of(studio, **kwargs):
    """Her studio changed how long a programme may go quiet (Studio.quiet_after_days): each of
    its clients with a current programme has her first day on the worklist worked out again, in
    bulk (Client.refresh_derived_of, the path loading data takes)."""
    Client.refresh_derived_of(Client.objects.filter(studio=studio, programmes__ended_at__isnull=True))


def fingerprint(kinds, client):
    """What the trainer saw: her reasons, her latest assessment and its edits, her programme and
    every operation on it. "Seen" keeps her off the list while this is unchanged. Worked out from
    her records as they stand; worklist_ids() reads the same from her row."""
    return f"{kind_bits(kinds)}-" + seen_records(client.latest_assessment_id, client.latest_assessment_version,
                                                 client.current_programme_id, client.programme_version)


def with_namesakes(clients):
    """Whether another client of her studio has her name, and her baby's date of birth too: the
    list and home then say which one she is (her baby's date of birth, or her email). Two EXISTS in
    the page's one query, each an index path (her studio's clients by name)."""
    namesakes = Client.objects.filter(studio=OuterRef("studio"), full_name=OuterRef("full_name")).exclude(pk=OuterRef("pk"))
    return clients.annotate(has_namesake=Exists(namesakes),
                            has_twin=Exists(namesakes.filter(baby_date_of_birth=OuterRef("baby_date_of_birth"))))


# Brought by the days: each starts on a day her row keeps (worklist_fields).
DAY_KIND_SQL = {
    "reassess": "check_up_from <= %s",
    "quiet": "quiet_from <= %s",
    "due": "session_due_from <= %s AND (quiet_from IS NULL OR quiet_from > %s)",  # quiet says more
}


@cache  # the tables' names do not change while running
def worklist_sql(mine=False):
    """The worklist in one statement, from her clients' rows alone (the worklist's index, then
    each one's latest acknowledgement by its own index): each client's id and what "Seen" would
    record now, most urgent first, then by name, and how many are on the list in all (a window),
    leaving out those whose latest "Seen" recorded just that; `mine`: only the clients she leads
    (the index on her lead trainer's worklist serves it). Her reasons that hold whatever the
    day are bits of her row's worklist_kinds; the others start on the days it keeps.
    Hand-written SQL that PostgreSQL and SQLite both speak: Django takes longer to compile this
    as expressions (about 10 ms) than the database takes to run it."""
    bit = {kind: 1 << FINGERPRINT_KINDS.index(kind) for kind in ORDER}
    day_bits = " + ".join(f"CASE WHEN {condition} THEN {bit[kind]} ELSE 0 END" for kind, condition in DAY_KIND_SQL.items())
    urgency = " ".join(f"WHEN kinds & {bit[kind]} <> 0 THEN {rank}" for rank, kind in enumerate(ORDER))
    return f"""
    SELECT id, CAST(kinds AS TEXT) || '-' || worklist_seen AS seen, COUNT(*) OVER () AS on_list FROM (
        SELECT c.id, c.full_name, c.worklist_seen, c.worklist_kinds + {day_bits} AS kinds,
               (SELECT k.fingerprint FROM {AttentionAck._meta.db_table} k WHERE k.client_id = c.id
                ORDER BY k.at DESC, k.id DESC LIMIT 1) AS acked
        FROM {Client._meta.db_table} c
        WHERE c.studio_id = %s AND c.archived_at IS NULL AND c.on_worklist_from <= %s{" AND c.trainer_id = %s" if mine else ""}
    ) her
    WHERE kinds <> 0 AND (acked IS NULL OR acked <> CAST(kinds AS TEXT) || '-' || worklist_seen)
    ORDER BY CASE {urgency} END, full_name, id"""


def worklist_ids(trainer, today, limit=None, offset=0, mine=False):
    """([(client id, what "Seen" would record)], how many need her in all): one page of her
    studio's worklist in order (all of it without `limit`), or of the clients she leads (`mine`)."""
    params = [today] * sum(condition.count("%s") for condition in DAY_KIND_SQL.values()) + [trainer.studio_id, today]
    if mine:
        params.append(trainer.pk)
    sql = worklist_sql(mine)
    if limit is not None:
        sql, params = f"{sql} LIMIT %s OFFSET %s", [*params, limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [(pk, seen) for pk, seen, _ in rows], rows[0][2] if rows else 0


@cache  # the tables' names do not change while running
def worklist_clients_sql(named=False):
    """The clients worklist_ids() found, for the one placeholder's list of ids, with what
    entries_for() reads: her latest assessment (by the id her row keeps, as with_latest_assessment()
    joins it), her current programme's stored state (as with_current_programme()) and its latest
    session, her latest acknowledgement's id, whether another client of her studio has her name
    (with_namesakes()) and, `named`, her lead trainer's name. Hand-written as worklist_sql() is
    (PostgreSQL and SQLite both speak it): compiled from expressions it cost about 4 ms a page,
    ten times what the database takes to run it."""
    table = {model: model._meta.db_table for model in (Client, Assessment, Programme, SessionLog, AttentionAck)}
    trainers = Client._meta.get_field("trainer").related_model._meta.db_table
    namesakes = (f"SELECT 1 FROM {table[Client]} n WHERE n.studio_id = c.studio_id AND n.full_name = c.full_name "
                 "AND n.id <> c.id")
    lead_join = f"\n    JOIN {trainers} t ON t.id = c.trainer_id" if named else ""
    return f"""
    SELECT c.id, c.trainer_id, c.full_name, c.email, c.baby_date_of_birth, c.latest_assessment_id, c.open_red_flags,
           c.red_flag_since, a.verdict AS latest_verdict, a.assessed_on AS latest_assessed_on,
           a.version AS latest_assessment_version, p.id AS current_programme_id, p.stored_status AS programme_status,
           p.stored_referral AS programme_referral, p.stored_week AS programme_week, p.stored_weeks AS programme_weeks,
           p.stored_repeats AS programme_repeats, p.stored_detail AS programme_detail, p.version AS programme_version,
           p.start_date AS programme_start, p.latest_log_pain AS latest_log_pain, p.stored_recovery AS programme_recovery,
           pain.week AS pain_week, pain.session_number AS pain_session, pain.done_on AS pain_on,
           (SELECT l.done_on FROM {table[SessionLog]} l WHERE l.programme_id = p.id ORDER BY l.done_on DESC LIMIT 1)
               AS last_session_on,
           (SELECT k.id FROM {table[AttentionAck]} k WHERE k.client_id = c.id ORDER BY k.at DESC, k.id DESC LIMIT 1) AS ack_id,
           EXISTS({namesakes}) AS has_namesake,
           EXISTS({namesakes} AND n.baby_date_of_birth = c.baby_date_of_birth) AS has_twin{", t.full_name AS lead_name" if named else ""}
    FROM {table[Client]} c
    LEFT JOIN {table[Assessment]} a ON a.id = c.latest_assessment_id
    LEFT JOIN {table[Programme]} p ON p.client_id = c.id AND p.ended_at IS NULL
    LEFT JOIN {table[SessionLog]} pain ON pain.id = p.latest_log_id{lead_join}
    WHERE c.studio_id = %s AND c.id IN ({{clients}})"""


def worklist_clients(trainer, rows, named=False):
    """The clients of hers worklist_ids() found, in its order, with what entries_for() reads: what
    "Seen" would record (`seen`) and worklist_clients_sql()'s columns; `named`: her lead trainer's
    name too (`lead_name`, when home shows everyone's). One statement, of her studio's clients alone."""
    if not rows:
        return []
    seen = dict(rows)
    sql = worklist_clients_sql(named).replace("{clients}", ", ".join(["%s"] * len(seen)))
    found = {client.pk: client for client in Client.objects.raw(sql, [trainer.studio_id, *seen])}
    for client in found.values():
        client.seen = seen[client.pk]
        # As the ORM would convert them: SQLite answers a subquery's date as text, a truth as 0 or 1.
        for name in ("latest_assessed_on", "programme_start", "pain_on", "last_session_on"):
            setattr(client, name, as_date(getattr(client, name)))
        for name in ("latest_log_pain", "programme_recovery", "has_namesake", "has_twin"):
            value = getattr(client, name)
            setattr(client, name, None if value is None else bool(value))
    return [found[pk] for pk, _ in rows if pk in found]


def worklist_page(trainer, today, number, per_page, mine=False, named=False):
    """A page of her worklist (a Page of Entry), counted in the same query as its ids: home's
    first few and "See all". Which page `number` names is Paginator.get_page()'s answer; the
    page it most likely names is read first, with the count, and read again only if not. `mine`:
    the clients she leads; `named`: each entry names whose client she is (everyone's)."""
    try:
        guess = max(int(number), 1)
    except (TypeError, ValueError):
        guess = 1
    rows, on_list = worklist_ids(trainer, today, per_page, (guess - 1) * per_page, mine=mine)
    if not rows and guess > 1:  # past the end: the window counted nothing
        _, on_list = worklist_ids(trainer, today, 1, mine=mine)
    page = Paginator(range(on_list), per_page).get_page(number)
    if page.number != guess:
        rows, _ = worklist_ids(trainer, today, per_page, (page.number - 1) * per_page, mine=mine)
    return Page(entries_for(worklist_clients(trainer, rows, named), trainer, today), page.number, page.paginator)


def entries_for(clients, trainer, today):
    """[Entry] for the clients on show (worklist_clients()): her reasons in words, from what her
    row and her current programme keep."""
    acked = [client.ack_id for client in clients if client.ack_id is not None]
    acks = {ack.pk: ack for ack in AttentionAck.objects.filter(pk__in=acked).select_related("by")} if acked else {}
    found, urls = [], EntryUrls()
    for client in clients:
        client.programme_repeats = client.programme_repeats or 0
        client.programme_detail = client.programme_detail or ""
        client.latest_log_pain = bool(client.latest_log_pain)
        client.worklist_state = WorklistState(
            client.latest_verdict, client.latest_assessed_on, client.programme_status, client.programme_repeats,
            client.latest_log_pain, client.has_open_red_flag, client.programme_start, client.last_session_on,
            trainer.studio.quiet_after_days, recovery=bool(client.programme_recovery))
        kinds = tuple(reason_kinds(client.worklist_state, today))
        if (lead := getattr(client, "lead_name", None)) is not None:  # everyone's: whose client she is
            client.whose = "your client" if client.trainer_id == trainer.pk else f"{(lead.split() or ['a trainer'])[0]}’s client"
        # What "Seen" records is what worklist_ids() compares: the fingerprint as her row keeps it.
        found.append(Entry(client, kinds, client.seen, today, acks.get(client.ack_id), urls))
    return found


def red_flag_detail(client):
    """What is open and where it was found, then whom to send her to, from the one signposting
    definition (bleeding: her GP or midwife, urgently if heavy; chest pain: 999 ...)."""
    flags = red_flags_of(client)
    found = "; ".join(f"{progression.symptom_names(flag.codes).capitalize()} {flag.where}" for flag in flags)
    return (f"{found}. {protocol.route_text(progression.red_flag_codes(flags), 'trainer')} No running until a new "
            "assessment with the full symptom screen finds no red flag.")


def worklist(trainer, today):
    """[Entry] for every active client who needs her, each once with all her reasons, most urgent
    first (then by name), the ones she acknowledged left out while nothing new has happened."""
    return entries_for(worklist_clients(trainer, worklist_ids(trainer, today)[0]), trainer, today)


def reasons_for(client, kinds, today, urls=None):
    """Her reasons in words, each with its next action, from the stored state worklist_clients() and entries_for() annotated.
    `urls`: the page's EntryUrls."""
    urls = urls or EntryUrls()
    label = status_label(client.programme_status, client.programme_referral, client.programme_week, client.programme_weeks)
    state = client.worklist_state
    page = urls.page(client.pk)
    words = {
        "paused": lambda: Reason("paused", label, client.programme_detail),
        "red_flag": lambda: Reason("red_flag", f"Red flag open since {client.red_flag_since:%-d %b %Y}",
                                   red_flag_detail(client)),
        "held": lambda: Reason("held", label, client.programme_detail),
        "reassess": lambda: Reason(
            "reassess", check_up_words(client.latest_verdict, client.latest_assessed_on, today),
            f"{'Ready' if client.latest_verdict == 'ready' else 'Not yet ready'} at her assessment on "
            f"{client.latest_assessed_on:%-d %b %Y} ({weeks_between(client.latest_assessed_on, today)} weeks ago): "
            f"a check-up every {REASSESS_AFTER.days // 7} weeks.",
            Action("Record a check-up", f"{page}#assessments")),
        "pain": lambda: Reason(
            "pain", "Pain in her latest session",
            f"Pain (knee, hip, shin…) logged in week {client.pain_week}, session {client.pain_session} "
            f"on {client.pain_on:%-d %b %Y}: check her load and how she runs."),
        "repeats": lambda: Reason("repeats", f"Week {client.programme_week} repeated {client.programme_repeats} times",
                                  "She keeps restarting this week: look at her sessions and her plan."),
        "recovery": lambda: Reason("recovery", wellbeing.RECOVERY_TITLE, wellbeing.RECOVERY_DETAIL),
        "quiet": lambda: Reason(
            "quiet", f"No session for {(today - (state.last_session_on or state.programme_start)).days} days",
            (f"Her last session was on {state.last_session_on:%-d %b %Y}" if state.last_session_on else
             f"Nothing logged since her programme started on {state.programme_start:%-d %b %Y}")
            + ": check in with her, and send her link again so she can log.",
            Action("Send her link again", urls.link_show(client.pk))),
        "due": lambda: Reason(
            "due", session_due_words(next_session_on(state), today),
            (f"A rest day after her last session, on {state.last_session_on:%-d %b %Y}." if state.last_session_on else
             f"Her programme started on {state.programme_start:%-d %b %Y}: her first session."),
            Action("Log a session", f"{page}#programme")),
        "ready": lambda: Reason(
            "ready", "Ready: no programme yet",
            f"Ready for a graded return to running at her assessment on {client.latest_assessed_on:%-d %b %Y}.",
            Action("Assign a programme", urls.assign(client.pk))),
        "finished": lambda: Reason("finished", "Programme finished", "Reassess her and plan what comes next."),
    }
    return tuple(words[kind]() for kind in kinds)


def session_due_words(due, today):
    return "Session due today" if due == today else f"Session overdue since {due:%-d %b}"


@cache  # the tables' names do not change while running
def recent_activity_sql(mine=False):
    """(her latest sessions, her latest assessments) of the clients she worked with most recently
    (her studio's by their row's last_activity_at, `mine`: of those she leads), each with her id
    and name: what recent_activity() shows, read from her rows alone. Hand-written as
    worklist_sql() is (PostgreSQL and SQLite both speak it): compiled from expressions (a subquery,
    two joins, deferred columns) the two cost about 3 ms a home, many times what they take to run."""
    table = {model: model._meta.db_table for model in (Client, Programme, SessionLog, Assessment)}
    recent = (f"SELECT r.id FROM {table[Client]} r WHERE r.studio_id = %s{' AND r.trainer_id = %s' if mine else ''} "
              f"ORDER BY r.last_activity_at DESC LIMIT {RECENT_CLIENTS}")
    sessions = f"""
    SELECT l.id, l.created_at, l.outcome, l.symptoms, l.logged_by_client, c.id AS client_pk, c.full_name AS client_name
    FROM {table[SessionLog]} l
    JOIN {table[Programme]} p ON p.id = l.programme_id
    JOIN {table[Client]} c ON c.id = p.client_id
    WHERE p.client_id IN ({recent})
    ORDER BY l.created_at DESC LIMIT {RECENT_ITEMS}"""
    assessments = f"""
    SELECT a.id, a.client_id, a.assessed_on, a.verdict, a.updated_at, c.full_name AS client_name
    FROM {table[Assessment]} a
    JOIN {table[Client]} c ON c.id = a.client_id
    WHERE a.client_id IN ({recent})
    ORDER BY a.updated_at DESC LIMIT {RECENT_ITEMS}"""
    return sessions, assessments


def recent_activity(trainer, mine=False):
    """[(kind, when, session log or assessment)], newest first: what happened lately for the
    clients she worked with most recently, read from her rows alone (recent_activity_sql()); each
    with her name (`client_name`) and the addresses the list links to (`client_url`, `url`);
    `mine`: of the clients she leads."""
    params = [trainer.studio_id, trainer.pk] if mine else [trainer.studio_id]
    sessions, assessments = recent_activity_sql(mine)
    client_page, studio = addresses("clients:detail"), addresses("assessments:studio")
    logs = list(SessionLog.objects.raw(sessions, params))
    for log in logs:
        log.client_url = client_page(log.client_pk)
    found = list(Assessment.objects.raw(assessments, params))
    for assessment in found:
        assessment.client_url, assessment.url = client_page(assessment.client_id), studio(assessment.pk)
    return sorted([("session", log.created_at, log) for log in logs] + [("assessment", a.updated_at, a) for a in found],
                  key=lambda entry: entry[1], reverse=True)[:RECENT_ITEMS]


def needs_attention(trainer, mine=False, named=False):
    """Home: her worklist's first entries and her recent activity, of her studio's clients or of
    those she leads (`mine`), each entry naming whose client she is when `named`."""
    today = timezone.localdate()
    first = worklist_page(trainer, today, 1, HOME_LIMIT, mine, named)  # how many need her, counted in the same query
    return {"attention": first.object_list, "attention_count": first.paginator.count,
            "activity": recent_activity(trainer, mine),
            "nav": "home",
            # Asked only when nobody needs her: "nothing needs you" or "add your first client".
            "has_clients": Client.objects.for_trainer(trainer).active().exists}


@dataclass(frozen=True)
class ClientStatus:
    """The client list's status column: latest verdict, programme state, check-up due."""

    verdict: str | None
    assessed_on: object
    programme_label: str
    programme_status: str
    check_up: str  # "Check-up due 9 Dec", "Check-up overdue", or "" (not this week)


def statuses_for(trainer, clients, today):
    """{client id: ClientStatus} for a page of clients annotated with_latest_assessment() and
    with_current_programme(): no further query, and no replay."""
    return {
        client.pk: ClientStatus(
            client.latest_verdict, client.latest_assessed_on,
            status_label(client.programme_status, client.programme_referral, client.programme_week, client.programme_weeks)
            if client.current_programme_id else "",
            client.programme_status or "",
            check_up_words(client.latest_verdict, client.latest_assessed_on, today)
            if reassessment_due(client.latest_verdict, client.latest_assessed_on, today) else "",
        )
        for client in clients
    }

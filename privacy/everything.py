"""Her data on request: everything Restride holds about one client, as a zip.

- restride-data.json: her profile, consent history (with the wording she agreed to), every
  assessment in the DOMAIN.md dict shape (the same shape as the one-assessment JSON export,
  so each can be imported again) with its corrections, programmes with their sessions, logs
  and resumes, her private links (dates only), and the access log about her;
- reports/: the PDF report of every assessment (reports/pdf.py, the stored drawings her
  downloads give: reports.DrawnReport);
- README.txt: what each file is.

EXPORTED lists every model whose rows are exported; tests/privacy/test_everything.py walks every
model that refers to a client and fails if one is missing here.
"""

import io
import json
import zipfile
from collections import namedtuple
from time import monotonic

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from assessments.models import Assessment, AssessmentChange, DeletedAssessment
from audit.models import AccessEvent
from clients import consent
from clients.models import Client, ConsentRecord, Handover, ShareLink
from programmes.models import (
    PlanSession,
    Programme,
    ProgrammeEvent,
    Resume,
    SessionLog,
    StrengthItem,
    StrengthLog,
    StrengthPlan,
)
from reports.models import DrawnReport, Reminder

# Home's worklist acknowledgements are practice's model (practice/models.py), and practice sits
# above privacy (home erases her through privacy): her export reaches them through the relation
# from her record, as Client reaches her programmes (Client.refresh_derived), not by an import.
AttentionAck = Client._meta.get_field("attention_acks").related_model

FORMAT = "restride-client-export/1"

# Model -> where its rows are in the JSON.
EXPORTED = {
    Client: "profile",
    ConsentRecord: "consent.history",
    Handover: "lead_trainer_history",
    Assessment: "assessments",
    AssessmentChange: "assessments[].corrections",
    DeletedAssessment: "deleted_assessments",
    Programme: "programmes",
    SessionLog: "programmes[].session_logs",
    Resume: "programmes[].resumes",
    ProgrammeEvent: "programmes[].history",
    StrengthPlan: "strength_plans",
    StrengthItem: "strength_plans[].exercises",
    StrengthLog: "strength_plans[].sessions_done",
    AttentionAck: "worklist_acknowledgements",
    ShareLink: "private_links",
    AccessEvent: "access_log",
    Reminder: "reminders",
    DrawnReport: "reports/",  # her stored report PDFs: the zip's reports/ folder
}


def iso(value):
    return value.isoformat() if value is not None else None


def person(trainer):
    return str(trainer) if trainer else None


PROFILE_FIELDS = [
    "full_name", "email", "phone", "date_of_birth", "baby_date_of_birth", "delivery", "perineal_trauma",
    "breastfeeding", "prior_incontinence", "bmi_30_or_more", "goal", "target_event", "target_date",
    "gp_check_date", "physio_seen_date", "notes", "self_logging", "reminders_since", "reminders_by_her", "time_zone", "archived_at",
    "created_at", "updated_at",
]


def profile(client):
    data = {name: getattr(client, name) for name in PROFILE_FIELDS}
    data = {name: iso(value) if hasattr(value, "isoformat") else value for name, value in data.items()}
    # Who to contact about her data (the controller): her studio, through her lead trainer.
    data["trainer"] = {"name": client.trainer.full_name, "business": client.letterhead_name,
                       "studio": client.studio.name, "email": client.studio.email or client.trainer.email}
    return data


def consent_section(client):
    history = [
        {"action": record.action, "at": iso(record.at), "by": person(record.by),
         "wording_version": record.version or None}
        for record in client.consent_records.all()
    ]
    versions = {record["wording_version"] for record in history if record["wording_version"]}
    if client.consent_version:
        versions.add(client.consent_version)
    return {
        "current": {
            "consented": client.has_consent,
            "recorded_at": iso(client.consent_recorded_at),
            "recorded_by": person(client.consent_recorded_by),
            "withdrawn_at": iso(client.consent_withdrawn_at),
            "wording_version": client.consent_version or None,
        },
        "history": history,
        "wording": {version: consent.VERSIONS[version] for version in sorted(versions) if version in consent.VERSIONS},
    }


def assessment_entry(assessment):
    return {
        "id": assessment.pk,
        # The same dict as the JSON export: importable again as it is.
        "assessment": assessment.exported(),
        "verdict": assessment.verdict,
        "version": assessment.version,
        "recorded_by": person(assessment.recorded_by),
        "created_at": iso(assessment.created_at),
        "updated_at": iso(assessment.updated_at),
        "report": report_name(assessment),
        "corrections": [
            {"field": change.field, "label": change.label, "old": change.old_value, "new": change.new_value,
             "changed_at": iso(change.changed_at), "changed_by": person(change.changed_by), "reason": change.reason}
            for change in assessment.changes.all()
        ],
    }


def programme_entry(programme):
    plan = programme.plan
    return {
        "id": programme.pk,
        "plan": {
            "name": plan.name,
            "description": plan.description,
            "sessions": [
                {"week": session.week, "session": session.number, "warm_up_seconds": session.warm_up_seconds,
                 "cool_down_seconds": session.cool_down_seconds,
                 "blocks": [{"run_seconds": b.run_seconds, "walk_seconds": b.walk_seconds, "repeats": b.repeats}
                            for b in session.blocks.all()]}
                for session in plan.sessions.all()
            ],
        },
        "start_date": iso(programme.start_date),
        "ended_at": iso(programme.ended_at),
        "override_reason": programme.override_reason,
        "override_items": programme.override_items,
        "assigned_by": person(programme.assigned_by),
        "created_at": iso(programme.created_at),
        "session_logs": [
            {"sequence": log.sequence, "week": log.week, "session": log.session_number, "done_on": iso(log.done_on), "outcome": log.outcome,
             "effort": log.effort, "symptoms": log.symptoms, "notes": log.notes, "logged_by": person(log.logged_by),
             "logged_by_her": log.logged_by_client,
             # The wellbeing check: null = not answered.
             "sleep": log.sleep, "run_down": log.run_down, "breastfeeding": log.breastfeeding,
             "created_at": iso(log.created_at)}
            for log in programme.logs.all()
        ],
        "resumes": [
            {"note": resume.note, "resumed_by": person(resume.resumed_by), "created_at": iso(resume.created_at)}
            for resume in programme.resumes.all()
        ],
        # Every logging, correction (before and after), deletion, resume, end and reopening.
        "history": [
            {"kind": event.kind, "session_log": event.sequence, "by": person(event.by), "by_her": event.by_client, "at": iso(event.at),
             "reason": event.reason, "before": event.before, "after": event.after}
            for event in programme.history.all()
        ],
    }


def strength_plan_entry(plan):
    return {
        "id": plan.pk,
        "start_date": iso(plan.start_date),
        "ended_at": iso(plan.ended_at),
        "assigned_by": person(plan.assigned_by),
        "from_assessment": plan.assessment_id,
        "created_at": iso(plan.created_at),
        "exercises": [
            {"name": item.name, "serves": item.serves, "steps": item.steps, "sets": item.sets, "reps": item.reps,
             "hold_seconds": item.hold_seconds, "tempo": item.tempo, "load": item.load, "daily": item.daily}
            for item in plan.items.all()
        ],
        "sessions_done": [
            {"sequence": log.sequence, "done_on": iso(log.done_on), "symptoms": log.symptoms,
             "logged_by": person(log.logged_by), "logged_by_her": log.logged_by_client, "created_at": iso(log.created_at)}
            for log in plan.logs.all()
        ],
    }


def report_name(assessment):
    return f"reports/report-{assessment.assessed_on:%Y-%m-%d}-{assessment.pk}.pdf"


def load(client_pk):
    """Her client row with everything the export reads, in a fixed number of queries."""
    return Client.objects.select_related("trainer", "studio", "consent_recorded_by").prefetch_related(
        Prefetch("consent_records", ConsentRecord.objects.select_related("by")),
        Prefetch("handovers", Handover.objects.select_related("from_trainer", "to_trainer", "by").order_by("at", "pk")),
        Prefetch("assessments", Assessment.objects.select_related("recorded_by").order_by("assessed_on", "pk")
                 .prefetch_related(Prefetch("changes", AssessmentChange.objects.select_related("changed_by")
                                            .order_by("changed_at", "pk")))),
        Prefetch("programmes", Programme.objects.select_related("plan", "assigned_by").order_by("created_at", "pk")
                 .prefetch_related(Prefetch("plan__sessions", PlanSession.objects.prefetch_related("blocks")),
                                   Prefetch("logs", SessionLog.objects.select_related("logged_by")),
                                   Prefetch("resumes", Resume.objects.select_related("resumed_by")),
                                   Prefetch("history", ProgrammeEvent.objects.select_related("by")))),
        Prefetch("strength_plans", StrengthPlan.objects.select_related("assigned_by").order_by("created_at", "pk")
                 .prefetch_related("items", Prefetch("logs", StrengthLog.objects.select_related("logged_by")
                                                     .order_by("sequence")))),
        Prefetch("deleted_assessments", DeletedAssessment.objects.select_related("recorded_by", "deleted_by")
                 .order_by("deleted_at", "pk")),
        Prefetch("attention_acks", AttentionAck.objects.select_related("by").order_by("at", "pk")),
        Prefetch("share_links", ShareLink.objects.order_by("created_at", "pk")),
        Prefetch("access_events", AccessEvent.objects.order_by("at", "pk")),  # named on the row (actor_name)
        Prefetch("reminders", Reminder.objects.order_by("day", "pk")),
    ).get(pk=client_pk)


def as_data(client, by=None):
    assessments = list(client.assessments.all())
    return {
        "format": FORMAT,
        "generated_at": iso(timezone.now()),
        "generated_by": person(by),
        "profile": profile(client),
        "consent": consent_section(client),
        # Who led her before: each hand-over to another trainer of her studio, and why.
        "lead_trainer_history": [
            {"at": iso(handover.at), "from": person(handover.from_trainer), "to": person(handover.to_trainer),
             "by": person(handover.by), "reason": handover.reason}
            for handover in client.handovers.all()
        ],
        "assessments": [assessment_entry(a) for a in assessments],
        "programmes": [programme_entry(p) for p in client.programmes.all()],
        "strength_plans": [strength_plan_entry(p) for p in client.strength_plans.all()],
        # Assessments deleted for a reason: what each recorded, and its change history, as kept.
        "deleted_assessments": [
            {"assessment": deleted.record, "verdict": deleted.verdict, "recorded_by": person(deleted.recorded_by),
             "created_at": iso(deleted.created_at), "deleted_by": person(deleted.deleted_by),
             "deleted_at": iso(deleted.deleted_at), "reason": deleted.reason, "red_flags": deleted.red_flags,
             "corrections": deleted.changes}
            for deleted in client.deleted_assessments.all()
        ],
        "worklist_acknowledgements": [
            {"kind": ack.kind, "by": person(ack.by), "at": iso(ack.at)} for ack in client.attention_acks.all()
        ],
        "private_links": [
            {"created_at": iso(link.created_at), "expires_on": iso(link.expires_on), "revoked_at": iso(link.revoked_at)}
            for link in client.share_links.all()
        ],
        "access_log": [
            {"at": iso(event.at), "who": event.who, "what": event.get_kind_display(), "kind": event.kind,
             "target": event.target, "address": event.address}
            for event in client.access_events.all()
        ],
        # The reminder emails claimed for her (what kind, for which day, when sent).
        "reminders": [
            {"kind": reminder.kind, "day": iso(reminder.day), "sent_at": iso(reminder.sent_at), "skipped": reminder.skipped}
            for reminder in client.reminders.all()
        ],
    }


def report_jobs(client, today, render=True):
    """Her Reports (reports/pdf.py), oldest first. The reports read her data their own way:
    they get a client without the export's prefetches."""
    from reports.pdf import reports_of

    return reports_of(Client.objects.select_related("trainer", "studio").get(pk=client.pk), today, render)


Preparation = namedtuple("Preparation", "drawn ready total")


def prepare_reports(client, budget):
    """Draw her reports that are not stored yet, one after another, for about `budget`
    seconds. Returns a Preparation: drawn now, ready, in all.

    A worker draws them as soon as her assessments change (reports/drawing.py), so this finds
    them stored; only the ones it has not drawn yet are drawn here. A report takes one to two
    seconds, so fifty cannot all be drawn inside one request (gunicorn ends a worker after
    30 s): the export page calls this once per step until all are ready, then the zip only reads
    the stored ones."""
    from reports.pdf import draw

    # Not rendered up front: each step renders only the reports it draws.
    jobs = report_jobs(client, timezone.localdate(), render=False)
    waiting = [report for report in jobs if not report.stored]
    start = monotonic()
    drawn, longest = 0, 0.0
    for report in waiting:
        # Start another only if it should end inside the budget, judged by the slowest one yet
        # (a busy machine draws slower); the first always starts, so every step gets somewhere.
        if drawn and monotonic() - start + longest > budget:
            break
        began = monotonic()
        draw(report)
        longest = max(longest, monotonic() - began)
        drawn += 1
    return Preparation(drawn, len(jobs) - len(waiting) + drawn, len(jobs))


def build_zip(client, by=None):
    """The zip as bytes. The JSON is written first: a failed report never loses her data.
    The reports are the stored ones; any not drawn yet is drawn here (see prepare_reports)."""
    from reports.pdf import draw, stored_pdfs

    data = as_data(client, by)
    jobs = report_jobs(client, timezone.localdate())
    stored = stored_pdfs(jobs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("restride-data.json", json.dumps(data, indent=2, ensure_ascii=False))
        readme = render_to_string("audit/everything_readme.txt", {"client": client, "data": data})
        archive.writestr("README.txt", readme)
        for report in jobs:
            pdf = stored.get(report.assessment.pk) or draw(report)
            # PDFs are already compressed: store them as they are.
            archive.writestr(report_name(report.assessment), pdf, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def filename(client):
    return f"restride-{client.pk}-{timezone.localdate():%Y-%m-%d}.zip"

"""May she run, as her programme asks it: the rule for who may run (progression.running_allowed)
given her latest assessment and the red flags open on her record, and those red flags found
afresh from everything she has had recorded (her row keeps them: Client.derived_fields)."""

from functools import cache

from django.db import models
from django.db.models import F, Value

from assessments.models import Assessment
from clients.models import weeks_between
from guideline import protocol

from .. import progression
from ..strength import StrengthLog
from .logs import SessionLog


def running_decision_for(client, latest, start_date, overridden=frozenset()):
    """May she start running on `start_date`, given her latest assessment (or None) and the red
    flags open on her record?"""
    weeks = weeks_between(client.baby_date_of_birth, start_date)
    carried_over = len(latest.carried_over) if latest else 0
    return progression.running_allowed(latest.result if latest else None, weeks, overridden, red_flags_of(client),
                                       carried_over)


def red_flags_of(client):
    """The red flags open on her record, as her row keeps them (Client.derived_fields)."""
    return tuple(progression.RedFlag.from_json(flag) for flag in client.open_red_flags)


SYMPTOM_COLUMNS = tuple(field for field in protocol.FIELDS if field.item.section == "symptoms")


@cache
def raised_or_clear_sql():
    """Her assessments that raise a red flag (a symptom "yes, now") or are a complete, clear screen
    (every symptom "no"; a blank, NULL, is neither), as one SQL condition written once: as 36 ORM
    lookups it cost more to compile on every write of hers than the query costs to run."""
    columns = [f'"{Assessment._meta.db_table}"."{Assessment._meta.get_field(c.name).column}"' for c in SYMPTOM_COLUMNS]
    return f"(({' OR '.join(columns)}) OR ({' AND '.join(f'NOT {c}' for c in columns)}))"


def raised_or_clear():
    return models.expressions.RawSQL(raised_or_clear_sql(), (), output_field=models.BooleanField())


def recorded_red_flags(client_ids, using=None):
    """{client id: (every red flag recorded on her surviving records, every complete and clear
    screen)}: what progression.open_red_flags() reads. Two indexed queries, however many clients
    (her assessments; her run logs and strength sessions together)."""
    found = {pk: ([], []) for pk in client_ids}
    assessments = Assessment._base_manager.using(using).filter(client_id__in=client_ids).order_by()
    for row in assessments.filter(raised_or_clear()).values(
            "pk", "client_id", "assessed_on", "created_at", "recorded_by__full_name", *(c.name for c in SYMPTOM_COLUMNS)):
        if codes := tuple(c.item.code for c in SYMPTOM_COLUMNS if row[c.name]):
            found[row["client_id"]][0].append(progression.RedFlag(
                codes, row["assessed_on"], row["created_at"], "assessment", row["pk"], row["recorded_by__full_name"] or ""))
        else:  # no "yes": every answer "no" (raised_or_clear)
            found[row["client_id"]][1].append(progression.Screen(row["assessed_on"], row["created_at"]))
    # Red-flag symptoms noted with her runs and with her strength sessions (issue 24), alike: one query.
    logs = [model._base_manager.using(using).filter(**{f"{to_client}__in": client_ids}).exclude(symptoms=[]).order_by()
            .annotate(client=F(to_client), by_name=F("logged_by__full_name"), source=Value(source))
            .values_list("pk", "done_on", "created_at", "symptoms", "logged_by_client", "client", "by_name", "source")
            for model, to_client, source in ((SessionLog, "programme__client_id", "session"),
                                             (StrengthLog, "plan__client_id", "strength"))]
    for pk, done_on, created_at, symptoms, by_client, client_id, by_name, source in logs[0].union(logs[1], all=True):
        if codes := tuple(code for code in progression.RED_FLAG_SYMPTOMS if code in symptoms):
            found[client_id][0].append(
                progression.RedFlag(codes, done_on, created_at, source, pk, "her" if by_client else by_name or ""))
    return found

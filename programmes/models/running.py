"""May she run, as her programme asks it: the rule for who may run (progression.running_allowed)
given her latest assessment and the red flags open on her record, and those red flags found
afresh from everything she has had recorded (her row keeps them: Client.derived_fields)."""

from django.db import models

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


def recorded_red_flags(client_ids, using=None):
    """{client id: (every red flag recorded on her surviving records, every complete and clear
    screen)}: what progression.open_red_flags() reads. Four indexed queries, however many clients
    (assessments, clear screens, run logs and strength sessions)."""
    found = {pk: ([], []) for pk in client_ids}
    assessments = Assessment._base_manager.using(using).filter(client_id__in=client_ids).order_by()
    any_yes = models.Q()
    for column in SYMPTOM_COLUMNS:
        any_yes |= models.Q(**{column.name: True})
    for row in assessments.filter(any_yes).values(
            "pk", "client_id", "assessed_on", "created_at", "recorded_by__full_name", *(c.name for c in SYMPTOM_COLUMNS)):
        found[row["client_id"]][0].append(progression.RedFlag(
            tuple(c.item.code for c in SYMPTOM_COLUMNS if row[c.name]), row["assessed_on"], row["created_at"],
            "assessment", row["pk"], row["recorded_by__full_name"] or ""))
    all_clear = assessments.filter(**{column.name: False for column in SYMPTOM_COLUMNS})
    for client_id, on, at in all_clear.values_list("client_id", "assessed_on", "created_at"):
        found[client_id][1].append(progression.Screen(on, at))
    # Red-flag symptoms noted with her runs and with her strength sessions (issue 24), alike.
    for model, to_client, source in ((SessionLog, "programme__client_id", "session"),
                                     (StrengthLog, "plan__client_id", "strength")):
        logs = model._base_manager.using(using).filter(**{f"{to_client}__in": client_ids}).exclude(symptoms=[]).order_by()
        for row in logs.values("pk", to_client, "done_on", "created_at", "symptoms", "logged_by__full_name", "logged_by_client"):
            if codes := tuple(code for code in progression.RED_FLAG_SYMPTOMS if code in row["symptoms"]):
                by = "her" if row["logged_by_client"] else row["logged_by__full_name"] or ""
                found[row[to_client]][0].append(
                    progression.RedFlag(codes, row["done_on"], row["created_at"], source, row["pk"], by))
    return found

"""The programme card on her page: drawn by her page and redrawn by every programme action."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from guideline import protocol
from lib.http import query_number

from . import progression
from .forms import OverrideForm, ResumeForm, SessionLogForm
from .models import red_flags_of


@dataclass(frozen=True)
class StatusBadge:
    tone: str  # the badge's colour, shared with the verdicts: "refer" or "ready"
    icon: str  # beside the words (Programme.status_label), never instead of them


STATUS_BADGES = {
    "paused": StatusBadge("refer", "‖"),
    "held": StatusBadge("refer", "‖"),
    "finished": StatusBadge("ready", "✓"),
    "active": StatusBadge("ready", "▶"),
}


def just_logged(request):
    """The sequence number of the session she or her trainer has just logged (?logged=N after a
    log form posted without JavaScript), or None. A number that names none of her current
    programme's logs shows no outcome (Programme.outcome_of_log)."""
    return query_number(request, "logged")


@dataclass(frozen=True)
class RedFlagRow:
    """An open red flag as the trainer's pages show it: what, where, whom to send her to, and
    the summary for the clinician (an assessment's, or a session's)."""

    flag: progression.RedFlag

    @property
    def names(self):
        text = progression.symptom_names(self.flag.codes)
        return text[:1].upper() + text[1:]

    @property
    def route(self):
        return protocol.route_text(self.flag.codes, "trainer")

    @property
    def referral_url(self):
        if self.flag.source == "assessment":
            return reverse("assessments:referral", args=[self.flag.source_id])
        if self.flag.source == "strength":
            return reverse("programmes:strength_referral", args=[self.flag.source_id])
        return reverse("programmes:session_referral", args=[self.flag.source_id])


def red_flag_rows(client):
    """Her open red flags, oldest first, for the banner on her page and the assessment summary."""
    return [RedFlagRow(flag) for flag in red_flags_of(client)]


def current_programme(client, blocks=True):
    return client.programmes.current().with_progress(blocks).first()


def card_context(programme, form=None, outcome=None, refusal="", notice=""):
    today = timezone.localdate()
    return {
        "refusal": refusal,
        "notice": notice,
        "override_form": OverrideForm() if programme.status == "held" and programme.running_decision.overridable else None,
        "programme": programme,
        "status_badge": STATUS_BADGES[programme.status],
        "client": programme.client,
        "log_form": form or SessionLogForm(programme=programme, initial={"done_on": today}),
        "schedule": programme.schedule(today),
        "buggy_advice": programme.buggy_running_advice(today),
        "resume_form": ResumeForm(note_required=programme.state.status == "paused" and not programme.paused_for_red_flag),
        "outcome": outcome,
        # Her open red flags (client page banner): the card's htmx responses swap it in too.
        "red_flags": red_flag_rows(programme.client) if programme.client.has_open_red_flag else [],
    }

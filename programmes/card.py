"""The programme card on her page (the trainer's): drawn by her page and redrawn by every programme
action. It reads one snapshot of the programme (programmes/snapshot.py) and the request never:
a view reads ?logged=N and passes the number down."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from guideline import protocol

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


def card_context(programme, form=None, outcome=None, refusal="", notice="", logged=None):
    """The card's context: the programme (its rows: plan, dates, override reason) and its snapshot
    (where it stands, its schedule, next session and advice). `outcome`: the outcome of the log
    just made; else `logged`, the sequence number of one logged before (?logged=N, after a log
    form posted without JavaScript), whose outcome is replayed."""
    today = timezone.localdate()
    snapshot = programme.snapshot(today, logged)
    return {
        "refusal": refusal,
        "notice": notice,
        "override_form": OverrideForm() if snapshot.status == "held" and snapshot.decision.overridable else None,
        "programme": programme,
        "snapshot": snapshot,
        "status_badge": STATUS_BADGES[snapshot.status],
        "client": programme.client,
        "log_form": form or SessionLogForm(programme=programme, initial={"done_on": today}),
        "resume_form": ResumeForm(note_required=snapshot.state.status == "paused" and not snapshot.paused_for_red_flag),
        "outcome": outcome or snapshot.logged_outcome,
        # Her open red flags (client page banner): the card's htmx responses swap it in too.
        "red_flags": [RedFlagRow(flag) for flag in snapshot.red_flags] if programme.client.has_open_red_flag else [],
    }

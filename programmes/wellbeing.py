"""The wellbeing check asked with each logged session (issue 23 §2): how she slept last night,
whether she feels run down, whether she is breastfeeding now. The questions' one definition
(her words and the trainer's), and the one rule that reads them. Pure: no ORM.

DOMAIN.md rule 6: holistic factors never gate. Nothing here changes her position, pauses her
programme or refuses a log; poor recovery twice running only asks the trainer to check in, and
her page suggests keeping this week's level. "Not answered" (None) is never "no": it is neither
a poor answer nor a good one, and it ends a run of poor answers (two sessions *in a row*)."""

from collections.abc import Iterable
from dataclasses import dataclass

POOR_SLEEP = "under_5"
SLEEP = (("under_5", "Under 5 hours"), ("5_to_7", "5 to 7 hours"), ("7_plus", "7 hours or more"))
SLEEP_WORDS = dict(SLEEP)

# The questions, in her words and in the trainer's: each form and page reads them from here.
QUESTIONS = {
    "sleep": {"client": "How much did you sleep last night?", "trainer": "Sleep last night"},
    "run_down": {"client": "Do you feel run down?", "trainer": "Feeling run down"},
    "breastfeeding": {"client": "Are you breastfeeding at the moment?", "trainer": "Breastfeeding now"},
}
INTRO = {"client": "How are you? (optional: skip any you'd rather not answer)",
         "trainer": "Wellbeing (optional: leave any she did not answer)"}

# The worklist entry and her page's suggestion.
RECOVERY_TITLE = "Check in about recovery"
RECOVERY_DETAIL = ("Little sleep or feeling run down in her last two sessions: check in with her about recovery; "
                   "keeping this week's level may help.")
RECOVERY_FOR_HER = ("You have had little sleep or felt run down in your last two sessions. That is common with a "
                    "young baby: it is fine to keep this week's level, or repeat it, until you feel more rested. "
                    "Your trainer will check in with you.")


@dataclass(frozen=True)
class Answers:
    """One session's answers; None = not answered."""

    sleep: str | None = None
    run_down: bool | None = None
    breastfeeding: bool | None = None

    @property
    def answered(self) -> bool:
        return any(value is not None for value in (self.sleep, self.run_down, self.breastfeeding))

    @property
    def poor_recovery(self) -> bool:
        """Under 5 hours' sleep, or run down. Unanswered is not poor."""
        return self.sleep == POOR_SLEEP or self.run_down is True


def needs_recovery_check(answers: Iterable[Answers]) -> bool:
    """Poor recovery in her two latest sessions (oldest first), in a row."""
    latest = list(answers)[-2:]
    return len(latest) == 2 and all(a.poor_recovery for a in latest)


def yes_no(value: bool | None) -> str:
    return "not answered" if value is None else "yes" if value else "no"


def describe(answers: Answers, reader: str = "trainer") -> str:
    """"slept under 5 hours, run down, breastfeeding" for a log line; "" when nothing was answered."""
    if not answers.answered:
        return ""
    parts = []
    if answers.sleep:
        parts.append(f"slept {SLEEP_WORDS[answers.sleep][0].lower()}{SLEEP_WORDS[answers.sleep][1:]}")
    if answers.run_down is not None:
        parts.append("run down" if answers.run_down else "not run down")
    if answers.breastfeeding is not None:
        parts.append("breastfeeding" if answers.breastfeeding else "not breastfeeding")
    return ", ".join(parts)

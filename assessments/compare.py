"""Side-by-side comparison of two assessments: what improved, what worsened, what is new."""

from dataclasses import dataclass

from guideline.protocol import NOT_TESTED

from .models import COLUMNS

# For yes/no measurements, which answer is the good one.
GOOD_FLAG = {"symptoms": False, "holistic": False, "pelvic_floor": True}
# How each kind of change is tagged: (icon, words).
CHANGE_TAGS = {
    "improved": ("▲", "Improved"),
    "worsened": ("▼", "Worsened"),
    "new": ("✚", "Newly tested"),
    "no_longer_tested": ("○", f"{NOT_TESTED.capitalize()} again"),
    "same": ("", "No change"),
}


@dataclass(frozen=True)
class Row:
    column: object
    before: object
    after: object
    change: str  # "improved" | "worsened" | "new" | "no_longer_tested" | "same"

    @property
    def before_text(self):
        return self.column.describe(self.before)

    @property
    def after_text(self):
        return self.column.describe(self.after)

    @property
    def change_icon(self):
        return CHANGE_TAGS[self.change][0]

    @property
    def change_words(self):
        return CHANGE_TAGS[self.change][1]


def change_between(column, before, after):
    if before == after:
        return "same"
    if before is None:
        return "new"
    if after is None:
        return "no_longer_tested"
    if column.is_flag:
        good = False if column.key == "symptoms" else GOOD_FLAG[column.item.section]
        return "improved" if after == good else "worsened"
    return "improved" if after > before else "worsened"


def compare_assessments(first, second):
    rows = [
        Row(column, getattr(first, column.name), getattr(second, column.name),
            change_between(column, getattr(first, column.name), getattr(second, column.name)))
        for column in COLUMNS
    ]
    first_reasons = {r.code for r in first.result.reasons}
    second_reasons = {r.code for r in second.result.reasons}
    return {
        "rows": rows,
        "changed": [row for row in rows if row.change != "same"],
        "counts": {kind: sum(row.change == kind for row in rows) for kind in ("improved", "worsened", "new")},
        "resolved": [r for r in first.result.reasons if r.code not in second_reasons],
        "new_reasons": [r for r in second.result.reasons if r.code not in first_reasons],
    }

"""The readiness rules of DOMAIN.md as one pure function over plain data.

`evaluate(data)` takes the assessment dict described in `protocol` (the same shape the
JSON export writes) and lists every failing criterion, not just the first. Targets,
codes and rule titles all come from `protocol`; nothing here touches the database.

Anything missing, or of the wrong type, counts as *not assessed*: the screen must never
pass someone on data it could not read.

Decisions where DOMAIN.md is silent:
- Messages are written for the trainer (they fill her verdict panel). A finding that sends
  her somewhere (a red flag, low mood, no physio, symptoms during the tests) is a neutral
  fact followed by the route from `protocol.SIGNPOSTS`; `worded(finding, reader)` gives the
  same fact with the route written for her ("client") or for the referral summary
  ("clinician"), so every reader gets the same finding and the right route.
- Each red flag names its own route: unexpected bleeding goes to the GP or midwife
  (urgently if heavy), every other symptom to the GP or a pelvic health physiotherapist.
- The physio caution is not raised when either the assessment says she has been seen or
  `profile.physio_seen` is true. The model layer sets `physio_seen` from the client record's
  "pelvic health physio seen" date when that date is on or before the assessment date
  (`Client.profile(on=...)`), so this module stays pure. Tested by
  tests/assessments/test_readiness.py::test_a_physio_visit_on_her_record_lifts_the_physio_caution.
"""

import math
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass

from guideline import protocol
from guideline.protocol import LOAD_SYMPTOMS_CAUTION, LOAD_SYMPTOMS_CODE, MIN_WEEKS_POSTPARTUM, RULES, SIDES

_RULE_ORDER = {rule: i for i, rule in enumerate(RULES)}
_SIDE_NAMES = {"value": "result", "left": "left side", "right": "right side"}


@dataclass(frozen=True)
class Reason:
    code: str  # "weeks_postpartum" or an item path, e.g. "pelvic_floor.fast_reps"
    kind: str  # "red_flag" | "too_early" | "unmet" | "not_assessed"
    message: str  # plain English, ends by naming its rule
    rule: str  # key into protocol.RULES
    # A load or impact test that brought on pelvic floor symptoms: the screen's red-flag symptoms
    # brought on by impact, which no override may cover (DOMAIN.md "Who may run").
    provoked: bool = False


@dataclass(frozen=True)
class FocusArea:
    code: str  # e.g. "strength.calf_raise"
    side: str  # "left" | "right"
    value: int | float
    target: int


@dataclass(frozen=True)
class Caution:
    code: str
    message: str
    rule: str = ""

    @property
    def urgent(self) -> bool:
        """Shown in the referral colour: its route also names same-day help (low mood → the help line)."""
        route = protocol.signpost_for(self.code)
        return bool(route and route.also and route.also.urgent)


@dataclass(frozen=True)
class Result:
    verdict: str  # "refer" | "not_yet" | "ready"
    reasons: tuple[Reason, ...]
    focus_areas: tuple[FocusArea, ...]
    cautions: tuple[Caution, ...]

    def to_dict(self) -> dict[str, object]:  # JSON: the export and the stored result
        return {
            "verdict": self.verdict,
            "reasons": [asdict(r) for r in self.reasons],
            "focus_areas": [asdict(f) for f in self.focus_areas],
            "cautions": [asdict(c) for c in self.cautions],
        }


def evaluate(data: protocol.Assessment) -> Result:
    data = _mapping(data)
    pelvic_floor = _mapping(data.get("pelvic_floor"))
    load_impact = _mapping(data.get("load_impact"))

    reasons = [
        *_symptoms(_mapping(data.get("symptoms"))),
        *_weeks(data.get("weeks_postpartum")),
        *_pelvic_floor(pelvic_floor),
        *_load_impact(load_impact),
    ]
    # Stable sort: rule order first, protocol order within a rule (strength_training_to_date
    # sits in the pelvic floor section but belongs to rule 2).
    reasons.sort(key=lambda r: _RULE_ORDER[r.rule])

    focus_areas, strength_cautions = _strength(_mapping(data.get("strength")))
    cautions = [
        *_physio(pelvic_floor, _mapping(data.get("profile"))),
        *_load_symptoms(load_impact),
        *strength_cautions,
        *_holistic(_mapping(data.get("holistic"))),
        *_profile(_mapping(data.get("profile"))),
    ]

    if any(r.kind == "red_flag" for r in reasons):
        verdict = "refer"
    elif reasons:
        verdict = "not_yet"
    else:
        verdict = "ready"
    return Result(verdict, tuple(reasons), tuple(focus_areas), tuple(cautions))


def load_impact_reasons(data: protocol.Assessment) -> tuple[Reason, ...]:
    """The reasons evaluate(data) gives for the load and impact tests (rule 4), in the same order,
    from those tests alone: what a chart of tests passed at each check-up needs, without the
    rest of the rules for each one (issue 20). tests/assessments/test_readiness.py checks they agree."""
    return tuple(_load_impact(_mapping(_mapping(data).get("load_impact"))))


# Reading values -------------------------------------------------------------------


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _number(value: object) -> float | None:
    """A usable measurement, or None. bool is a subclass of int, and True must not count as 1."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if value >= 0 else None


def _flag(value: object) -> bool | None:
    """True, False, or None; 0 and 1 are not answers to a yes/no question."""
    return value if isinstance(value, bool) else None


_quantity = protocol.quantity


def _fact(code: str) -> str:
    """The reader-neutral part of a signposted finding."""
    if code == LOAD_SYMPTOMS_CODE:
        return LOAD_SYMPTOMS_CAUTION
    item = protocol.ITEMS[code]
    if item.section == "symptoms":
        return f"{item.label} reported: no running for now."
    return item.caution


def _signposted(code: str, reader: str) -> str:
    route = protocol.signpost_for(code)
    if route is None:
        raise LookupError(f"{code} has no route to signpost")  # only findings with a route come here
    return f"{_fact(code)} {route.text(reader)}"


def worded(finding: Reason | Caution, reader: str = "trainer") -> str:
    """A reason's or caution's message written for `reader` ("trainer", "client" or
    "clinician"): the route changes with the reader, the finding does not. Findings
    without a route read the same for everyone, except that she never reads the trainer's
    terms: no rule numbers, and a caution in her words where it has its own."""
    rule = f" ({RULES[finding.rule]})" if isinstance(finding, Reason) else ""
    item = protocol.ITEMS.get(finding.code)
    if protocol.signpost_for(finding.code) is None or (isinstance(finding, Reason) and finding.kind != "red_flag"):
        if reader != "client":
            return finding.message
        if isinstance(finding, Caution) and item is not None and item.caution_for_her:
            return item.caution_for_her
        return finding.message.removesuffix(rule)
    text = _signposted(finding.code, reader)
    return text if reader == "client" else text + rule


def _reason(code: str, kind: str, text: str, rule: str, provoked: bool = False) -> Reason:
    return Reason(code, kind, f"{text} ({RULES[rule]})", rule, provoked)


def _target(item: protocol.Item) -> int:
    """A measurement's target: every number item has one (protocol), so None is a protocol mistake."""
    if item.target is None:
        raise LookupError(f"{item.path} is a measurement without a target")
    return item.target


def _items(section_code: str, gating: bool = True) -> list[protocol.Item]:
    return [i for i in protocol.section(section_code).items if i.gating == gating]


# Rules 1–4: reasons ----------------------------------------------------------------


def _symptoms(symptoms: Mapping[str, object]) -> Iterator[Reason]:
    for item in _items("symptoms"):
        present = _flag(symptoms.get(item.code))
        if present:
            yield _reason(item.path, "red_flag", _signposted(item.path, "trainer"), item.rule)
        elif present is None:
            yield _reason(item.path, "not_assessed", f"{item.label}: not asked yet.", item.rule)


def _weeks(value: object) -> Iterator[Reason]:
    weeks = _number(value)
    rule = "rule_2_too_early"
    if weeks is None:
        yield _reason(
            "weeks_postpartum", "not_assessed",
            "Weeks since the birth not known: check the baby's date of birth and the assessment date.",
            rule,
        )
    elif weeks < MIN_WEEKS_POSTPARTUM:
        yield _reason(
            "weeks_postpartum", "too_early",
            f"{_quantity(weeks, 'weeks')} since the birth, fewer than {MIN_WEEKS_POSTPARTUM}: low-impact "
            f"and strength work for now; {protocol.RUNNING_TIMELINE}.",
            rule,
        )


def _pelvic_floor(pelvic_floor: Mapping[str, object]) -> Iterator[Reason]:
    for item in _items("pelvic_floor"):
        raw = pelvic_floor.get(item.code)
        if item.kind == "number":
            value = _number(raw)
            if value is None:
                yield _reason(item.path, "not_assessed", f"{item.label}: not assessed yet.", item.rule)
            elif value < _target(item):
                yield _reason(
                    item.path, "unmet",
                    f"{item.label}: {_quantity(value, item.unit)}, target at least {item.target}.",
                    item.rule,
                )
            continue
        answer = _flag(raw)
        if answer is None:
            yield _reason(item.path, "not_assessed", f"{item.label}: not assessed yet.", item.rule)
        elif not answer:
            if item.code == "strength_training_to_date":
                text = ("No low-impact and strength programme yet: complete one before running, "
                        "however long since the birth.")
            else:
                text = f"{item.label}: not yet; this needs to be in place before running."
            yield _reason(item.path, "unmet", text, item.rule)


def _load_impact(load_impact: Mapping[str, object]) -> Iterator[Reason]:
    for item in _items("load_impact"):
        entry = _mapping(load_impact.get(item.code))
        values = {key: _number(entry.get(key)) for key in item.value_keys}
        symptoms = _flag(entry.get("symptoms"))
        short = {key: v for key, v in values.items() if v is not None and v < _target(item)}
        missing = [_SIDE_NAMES[key] for key, v in values.items() if v is None]

        # A known failure is "unmet" even when part of the test is missing: it is the
        # more useful thing to tell the trainer, and the verdict is the same.
        if short or symptoms:
            parts = []
            if short:
                got = ", ".join(
                    f"{key} {_quantity(v, item.unit)}" if item.sided else _quantity(v, item.unit)
                    for key, v in short.items()
                )
                each = " each side" if item.sided else ""
                parts.append(f"{got}, short of {item.target}{each}")
            if symptoms:
                parts.append("pelvic floor symptoms during the test")
            if missing:
                parts.append(f"{' and '.join(missing)} not recorded")
            yield _reason(item.path, "unmet", f"{item.label}: {'; '.join(parts)}.", item.rule, provoked=bool(symptoms))
        elif len(missing) == len(values) and symptoms is None:
            yield _reason(item.path, "not_assessed", f"{item.label}: {protocol.NOT_TESTED} yet.", item.rule)
        elif missing:
            yield _reason(
                item.path, "not_assessed", f"{item.label}: {' and '.join(missing)} not recorded.", item.rule
            )
        elif symptoms is None:
            # Reaching the target says nothing about leaking or heaviness during the test.
            yield _reason(
                item.path, "not_assessed",
                f"{item.label}: whether symptoms appeared during the test was not recorded.",
                item.rule,
            )


# Rules 5 and 6 and the physio recommendation: focus areas and cautions ------------


def _physio(pelvic_floor: Mapping[str, object], profile: Mapping[str, object]) -> Iterator[Caution]:
    item = protocol.ITEMS["pelvic_floor.physio_assessed"]
    # None as well as False: the assessment is recommended for everyone. Her client record
    # saying she has been seen counts as much as the assessment's answer.
    if _flag(pelvic_floor.get(item.code)) is not True and _flag(profile.get("physio_seen")) is not True:
        yield Caution(item.path, _signposted(item.path, "trainer"), item.rule)


def _load_symptoms(load_impact: Mapping[str, object]) -> Iterator[Caution]:
    if any(_flag(_mapping(load_impact.get(i.code)).get("symptoms")) for i in _items("load_impact")):
        yield Caution(LOAD_SYMPTOMS_CODE, _signposted(LOAD_SYMPTOMS_CODE, "trainer"), "rule_4_load_impact")


def _strength(strength: Mapping[str, object]) -> tuple[list[FocusArea], list[Caution]]:
    focus_areas: list[FocusArea] = []
    cautions: list[Caution] = []
    for item in _items("strength", gating=False):
        entry = _mapping(strength.get(item.code))
        values = {side: _number(entry.get(side)) for side in SIDES}
        for side, value in values.items():
            if value is not None and value < _target(item):
                focus_areas.append(FocusArea(item.path, side, value, _target(item)))
        missing = [side for side, value in values.items() if value is None]
        if len(missing) == len(SIDES):
            cautions.append(Caution(
                item.path,
                f"{item.label} {protocol.NOT_TESTED}: strength tests never hold back running, but they show "
                "where to focus strength work.",
                item.rule,
            ))
        elif missing:
            cautions.append(Caution(item.path, f"{item.label}: {missing[0]} side not recorded.", item.rule))
    return focus_areas, cautions


def _holistic(holistic: Mapping[str, object]) -> Iterator[Caution]:
    for item in _items("holistic", gating=False):
        if _flag(holistic.get(item.code)):
            text = _signposted(item.path, "trainer") if item.signpost else item.caution
            yield Caution(item.path, text, item.rule)


def _profile(profile: Mapping[str, object]) -> Iterator[Caution]:
    for field in protocol.PROFILE_FIELDS:
        value = profile.get(field.code)
        # A stray 1 must not count as yes.
        raised = _flag(value) is True if field.kind == "flag" else isinstance(value, str) and value in field.caution_values
        if raised:
            yield Caution(f"profile.{field.code}", field.caution, "rule_6_holistic")

"""The assessment protocol: the one place that says what is assessed and what passes.

Models, forms, templates, the PDF, the JSON export and the readiness rules all read
this module, so adding an item or changing a target is a one-line change here.
Plain Python, no Django. Codes and targets follow /work/shared/DOMAIN.md; help text
follows the seed blog's summary of the guideline.

Shape of an assessment (the dict `readiness.evaluate` reads and the JSON export writes):
    weeks_postpartum: int
    symptoms / pelvic_floor / holistic: {code: bool or int}
    load_impact: {code: {"value" or "left"/"right": int, "symptoms": bool}}
    strength: {code: {"left": int, "right": int}}
    profile: {field: str or bool}
`None` or an absent key always means "not assessed", never 0 or False. The same values one per
`Field` are the flat layout (model columns, form fields, report cells); `flatten` and `nest`
are the one pair of converters between the two.

Wording lives here once and every view, template, chart, comparison, export and PDF reads
it: yes/no answers (`Answers`, per section), "not tested", targets (`Item.target_text`,
`STRENGTH_TARGET_TEXT`, `MIN_WEEKS_TEXT`), the seed's timeline (`RUNNING_TIMELINE`), verdict
words and icons (`VERDICT_WORDING`), plurals (`quantity`) and signposting (`SIGNPOSTS`).

Decisions where DOMAIN.md is silent (issue 8):
- Each route is a `Signpost` worded three times: to the trainer ("Refer her to…"), to her
  ("Please see…") and to the clinician (the referral summary). A finding is a neutral fact
  plus the reader's route (readiness.worded). tests/test_wording.py::test_every_route_is_worded_for_each_reader
- Abnormal bleeding: the rule refers on any "yes" at any week; the help text says to answer
  yes for ongoing or increased bleeding beyond 8 weeks, or heavy bleeding (or with dizziness)
  at any time, so help text and rule agree. Route: GP or midwife today; NHS 111, or 999 if
  heavy or with dizziness. tests/test_wording.py::test_abnormal_bleeding_goes_to_the_gp_or_midwife_urgently_if_heavy
- A session's "pain" (knee, hip, shin) goes to the GP or a physiotherapist, never to a
  pelvic-health referral. tests/test_wording.py::test_knee_hip_or_shin_pain_goes_to_the_gp_or_a_physiotherapist_not_pelvic_health
- Low mood: midwife or health visitor, GP, NHS Talking Therapies (self-referral), always
  followed by the same-day help line (`HELPLINE`); a help list shows the help line on its own
  line instead. tests/test_wording.py::test_low_mood_goes_to_perinatal_routes_and_the_gp_with_same_day_help
- The referral heading names the clinicians of her red flags ("Refer: see the GP or a
  midwife"); the model's stored choice label is unchanged (changing it needs a migration).
  tests/test_wording.py::test_the_referral_names_the_clinicians_her_red_flags_go_to
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cache, cached_property

GUIDELINE_CITATION = (
    "Goom T, Donnelly G, Brockwell E. Returning to running postnatal – guidelines for "
    "medical, health and fitness professionals managing this population. 2019."
)

MIN_WEEKS_POSTPARTUM = 12
# A "not yet" is reassessed this long after: the worklist flags her, her calendar books it.
REASSESS_AFTER = timedelta(weeks=4)
WEEKS_POSTPARTUM_LABEL = "Weeks since the birth"

SIDES = ("left", "right")

# Rule ids in the guideline's order (DOMAIN.md "The readiness rules, in order");
# readiness sorts reasons by this order. Titles are quoted in every reason message.
RULES: dict[str, str] = {
    "rule_1_red_flags": "Rule 1 · Red-flag symptoms: refer",
    "rule_2_too_early": "Rule 2 · Too early",
    "rule_3_foundations": "Rule 3 · Foundations",
    "rule_4_load_impact": "Rule 4 · Load and impact",
    "rule_5_strength": "Rule 5 · Strength: focus areas, not a barrier",
    "rule_6_holistic": "Rule 6 · Holistic factors: cautions only",
    "rule_7_ready": "Rule 7 · Ready for a graded walk–run return",
    "physio_recommendation": "Pelvic health physiotherapy: recommended for everyone",
}

# DOMAIN.md "Who may run": a retest asks the symptom screen, "symptoms during the test"
# and the holistic items afresh; only these sections' measurements may be carried over.
CARRIED_OVER_SECTIONS = ("pelvic_floor", "load_impact", "strength")
# Sections whose items are objects in the assessment dict ({"value" or "left"/"right",
# "symptoms"}); every other section's items are their value itself.
NESTED_SECTIONS = ("load_impact", "strength")


@dataclass(frozen=True)
class Verdict:
    code: str
    word: str  # a badge: "Not yet"
    icon: str  # shown beside the word, never instead of it
    label: str  # the trainer's panel and the referral summary


VERDICT_WORDING: dict[str, Verdict] = {
    v.code: v
    for v in (
        # The refer label is also the model field's choice label (migration 0001): changing
        # it needs an AlterField migration in assessments.
        Verdict("refer", "Refer", "⚠", "Refer: see the GP or a pelvic health physiotherapist"),
        Verdict("not_yet", "Not yet", "◔", "Not yet: keep building"),
        Verdict("ready", "Ready", "✓", "Ready for a graded walk–run return"),
    )
}
VERDICTS = tuple((v.code, v.label) for v in VERDICT_WORDING.values())


# Wording read by every view, template, chart, comparison, export and PDF ----------


def quantity(value: float, unit: str) -> str:
    """A count with its unit, singular for exactly one: (1, "weeks") → "1 week", (2.5, "minutes") → "2.5 minutes".

    Units are written in the plural, as items carry them ("holds", "seconds", "reps")."""
    if value == 1 and unit.endswith("s"):
        unit = unit[:-1]
    amount = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{amount} {unit}".strip()


NOT_TESTED = "not tested"  # a measurement that was never taken: never 0, never "no"


@dataclass(frozen=True)
class Answers:
    """How a yes/no question reads, for the studio's radios and every page that shows the answer."""

    unknown: str
    yes: str
    no: str

    def word(self, value: object) -> str:
        if value is None:
            return self.unknown
        return self.yes if value else self.no


SYMPTOM_ANSWERS = Answers("Not asked", "Yes, now", "No")
TEST_ANSWERS = Answers("Not tested", "Yes", "No")  # pelvic floor and core
PHYSIO_ANSWERS = Answers("Not asked", "Yes", "No")
CONCERN_ANSWERS = Answers("Not asked", "Concern raised", "No concern")
# "Pelvic floor symptoms during it?" under each load and impact test.
DURING_TEST_ANSWERS = Answers("Symptoms not recorded", "Symptoms during it", "No symptoms")
PROFILE_ANSWERS = Answers("Not asked", "Yes", "No")  # the client record's yes/no fields

MIN_WEEKS_TEXT = quantity(MIN_WEEKS_POSTPARTUM, "weeks")
# The seed's timeline: low-impact work for the first three months, then running from
# 3 to 6 months at the earliest, and only after a low-impact and strength programme.
RUNNING_TIMELINE = (
    "running from 3 to 6 months after the birth at the earliest, once a low-impact and strength "
    "programme is done"
)
# What to do if something comes on during a session, in her words (her page, her calendar, her report)
# and in the trainer's (the log form): DOMAIN.md "Graded programmes" and "Medical warning signs".
SESSION_ADVICE_FOR_HER = (
    "If leaking, heaviness, dragging or pain comes on, stop running and walk the rest, and tell your trainer. "
    "If you get chest pain, feel faint or dizzy, are much more out of breath than the effort should make you, "
    "or bleed, stop exercising now and get help (see “Where to get help”)."
)
SESSION_ADVICE_FOR_TRAINER = (
    "A symptom during a session means: stop running and walk the rest. A medical warning sign or bleeding "
    "means: stop exercising now, and get her help."
)
STRENGTH_TARGET = 20  # reps on each leg; below it is a focus area, never a gate
STRENGTH_TARGET_TEXT = f"{quantity(STRENGTH_TARGET, 'reps')} each side"


# Signposting: who to send her to, written for each reader ---------------------------

READERS = ("trainer", "client", "clinician")


@dataclass(frozen=True)
class Signpost:
    """One route for one kind of problem (DOMAIN.md "Signposting"), worded for each reader:
    the trainer's screens speak to the trainer, her page and PDF to her, the referral
    summary to the clinician. Findings put a neutral fact in front of the reader's route."""

    code: str
    concern: str  # what it is for, as a heading in a "where to get help" list
    who: str  # the route in a few words, for a table cell
    trainer: str
    client: str
    clinician: str
    urgent: bool = False
    clinicians: tuple[str, ...] = ()  # who a referral goes to: "the GP", "a midwife"
    also: "Signpost | None" = None  # a further route every finding of this kind names too
    # Found during a session: stop exercising now, not "walk the rest" (DOMAIN.md "Medical
    # warning signs"; bleeding likewise).
    stop_now: bool = False

    def text(self, reader: str, with_also: bool = True) -> str:
        """This route for `reader`; with the further route (low mood → same-day help) unless a
        list shows that one on its own line."""
        if reader not in READERS:
            raise ValueError(f"Unknown reader: {reader!r}")
        own = getattr(self, reader)
        return f"{own} {self.also.text(reader)}" if with_also and self.also else own


HELPLINE = Signpost(
    "self_harm",
    "Thoughts of self-harm",
    "NHS 111 (mental health option), 999 or A&E, Samaritans 116 123",
    trainer="If she mentions thoughts of harming herself, she needs help the same day: NHS 111 "
            "(the mental health option), or 999 or A&E in an emergency; Samaritans are free on "
            "116 123, day or night.",
    client="If you have thoughts of harming yourself, get help the same day: call NHS 111 and "
           "choose the mental health option, or call 999 or go to A&E in an emergency. Samaritans "
           "are free on 116 123, day or night.",
    clinician="Told that thoughts of self-harm need help the same day: NHS 111 (mental health "
              "option), 999 or A&E, Samaritans 116 123.",
    urgent=True,
)

# DOMAIN.md "Medical warning signs": each has its own route, the most urgent first. They are
# not listed one by one in a "where to get help" list (WARNING_SIGNS_HELP says them together).
WARNING_SIGN_SIGNPOSTS = (
    Signpost(
        "chest_pain", "Chest pain or pressure", "999 now",
        trainer="Stop the session and call 999 for her now.",
        client="Stop exercising and call 999 now: you need help straight away.",
        clinician="Chest pain or pressure reported: she was told to call 999.",
        urgent=True, clinicians=("emergency services (999)",), stop_now=True,
    ),
    Signpost(
        "breathlessness", "Breathless out of proportion to the effort, or at rest",
        "999 if sudden or severe, else same-day GP or NHS 111",
        trainer="If it came on suddenly or is severe, call 999 now; otherwise she should see her GP the same day "
                "or call NHS 111.",
        client="If it came on suddenly or is severe, call 999 now. Otherwise see your GP today or call NHS 111.",
        clinician="Breathlessness out of proportion to the effort: told to call 999 if sudden or severe, otherwise "
                  "to see the GP the same day or call NHS 111.",
        urgent=True, clinicians=("the GP the same day", "NHS 111"), stop_now=True,
    ),
    Signpost(
        "dizziness_fainting", "Dizziness, light-headedness or fainting", "999 if she fainted, else same-day GP or NHS 111",
        trainer="If she fainted, call 999; otherwise she should see her GP the same day or call NHS 111.",
        client="If you fainted, call 999. Otherwise see your GP today or call NHS 111.",
        clinician="Dizziness or fainting: told to call 999 if she fainted, otherwise to see the GP the same day or "
                  "call NHS 111.",
        urgent=True, clinicians=("the GP the same day", "NHS 111"), stop_now=True,
    ),
    Signpost(
        "calf_pain_swelling", "Pain, swelling, warmth or redness in one calf",
        "same-day GP or NHS 111; 999 if also breathless or chest pain",
        trainer="She should see her GP the same day or call NHS 111 (a possible clot); call 999 if she is also "
                "breathless or has chest pain.",
        client="Please see your GP today or call NHS 111: it needs checking for a clot. Call 999 if you are also "
               "breathless or have chest pain.",
        clinician="Possible deep vein thrombosis to exclude: told to see the GP the same day or call NHS 111, and "
                  "999 if breathless or with chest pain.",
        urgent=True, clinicians=("the GP the same day", "NHS 111"), stop_now=True,
    ),
    Signpost(
        "severe_abdominal_pain", "Severe or worsening abdominal pain", "NHS 111, or 999 if severe",
        trainer="She should call NHS 111 now, or 999 if the pain is severe or she feels very unwell.",
        client="Call NHS 111 now, or 999 if the pain is severe or you feel very unwell.",
        clinician="Severe or worsening abdominal pain: told to call NHS 111, or 999 if severe.",
        urgent=True, clinicians=("NHS 111", "emergency services (999)"), stop_now=True,
    ),
    Signpost(
        "fever_unwell", "Fever, or feeling unwell", "GP or NHS 111",
        trainer="She should see her GP or call NHS 111, and not exercise until she is well.",
        client="Please see your GP or call NHS 111, and rest until you feel well.",
        clinician="Fever or feeling unwell, possible infection: for review by the GP (or NHS 111).",
        clinicians=("the GP", "NHS 111"), stop_now=True,
    ),
    Signpost(
        "scar_worsening", "A caesarean or perineal scar that worsens with activity", "GP or midwife",
        trainer="Refer her to her GP or midwife to check the scar.",
        client="Please see your GP or midwife to check the scar.",
        clinician="Scar pain, redness, swelling or discharge worsening with activity: for review by the GP or midwife.",
        clinicians=("the GP", "a midwife"), stop_now=True,
    ),
    Signpost(
        "pregnant_again", "She may be pregnant again", "midwife or GP",
        trainer="This programme stops: she should talk to her midwife or GP about exercise in pregnancy.",
        client="This running programme stops for now: please talk to your midwife or GP about exercise in pregnancy.",
        clinician="She may be pregnant again: the postnatal return-to-running programme has stopped; for advice from "
                  "her midwife or the GP on exercise in pregnancy.",
        clinicians=("a midwife", "the GP"), stop_now=True,
    ),
)

# The warning signs together, for a "where to get help" list (each item keeps its own route).
WARNING_SIGNS_HELP = Signpost(
    "warning_signs",
    "Chest pain, sudden breathlessness, fainting, a painful or swollen calf, severe tummy pain, a fever, a worsening scar",
    "999, or the GP the same day or NHS 111",
    trainer="Chest pain, fainting, or sudden or severe breathlessness: call 999. Pain or swelling in one calf, severe "
            "or worsening abdominal pain, a fever or feeling unwell, or a scar that worsens: she should see her GP "
            "the same day or call NHS 111 (999 if severe). If she may be pregnant again, this programme stops: her "
            "midwife or GP advises.",
    client="For chest pain, fainting, or sudden or severe breathlessness, call 999. For pain or swelling in one calf, "
           "severe or worsening tummy pain, a fever or feeling unwell, or a scar that gets worse, see your GP today or "
           "call NHS 111 (999 if it is severe). If you might be pregnant again, stop this programme and talk to your "
           "midwife or GP.",
    clinician="Warning signs were screened: chest pain, breathlessness, dizziness or fainting, calf pain or swelling, "
              "severe abdominal pain, fever, scar problems, possible pregnancy.",
    urgent=True,
)

SIGNPOSTS: dict[str, Signpost] = {
    s.code: s
    for s in (
        *WARNING_SIGN_SIGNPOSTS,
        Signpost(
            "pelvic_health",
            "Leaking, urgency, heaviness or dragging, difficulty emptying the bowel, back or pelvic pain, pain during sex, doming",
            "GP or pelvic health physiotherapist",
            trainer="Refer her to her GP or a pelvic health physiotherapist.",
            client="Please see your GP or a pelvic health physiotherapist: these symptoms are common "
                   "after birth, and treatable.",
            clinician="For assessment by the GP or a pelvic health physiotherapist.",
            clinicians=("the GP", "a pelvic health physiotherapist"),
        ),
        Signpost(
            "bleeding",
            "Bleeding that is not a period, ongoing or increased more than 8 weeks after the birth",
            "GP or midwife, urgently if heavy",
            trainer="Refer her to her GP or midwife today; if the bleeding is heavy or she feels dizzy "
                    "or faint, she needs urgent help: NHS 111, or 999 if heavy.",
            client="Please contact your GP or midwife today. If the bleeding is heavy, or you feel dizzy "
                   "or faint, get help now: call NHS 111, or 999 if it is heavy.",
            clinician="For review by the GP or midwife; she has been told to call NHS 111, or 999 if the "
                      "bleeding is heavy or comes with dizziness.",
            urgent=True,
            clinicians=("the GP", "a midwife"),
            stop_now=True,
        ),
        Signpost(
            "musculoskeletal",
            "Knee, hip, shin or other joint or muscle pain when running",
            "GP or physiotherapist",
            trainer="Refer her to her GP or a physiotherapist if the pain persists or comes back "
                    "(a musculoskeletal problem, not a pelvic-health referral).",
            client="Please see your GP or a physiotherapist if the pain persists or comes back.",
            clinician="Musculoskeletal pain during running: for assessment by the GP or a physiotherapist.",
            clinicians=("the GP", "a physiotherapist"),
        ),
        Signpost(
            "low_mood",
            "Low mood or anxiety",
            "midwife or health visitor, GP, NHS Talking Therapies",
            trainer="Suggest she talks to her midwife or health visitor, or her GP, and tell her she can "
                    "refer herself to NHS Talking Therapies.",
            client="Please talk to your midwife or health visitor, or your GP, who can help; you can also "
                   "refer yourself to NHS Talking Therapies.",
            clinician="Signposted to her midwife or health visitor, her GP and NHS Talking Therapies "
                      "(self-referral); no questionnaire was scored.",
            also=HELPLINE,
        ),
        HELPLINE,
        Signpost(
            "physio",
            "A pelvic health check for every woman after birth",
            "pelvic health physiotherapist",
            trainer="Recommend one: her GP can refer her, or she can find local services through the "
                    "NHS Squeezy website.",
            client="Please ask your GP for a referral, or find local services on the NHS Squeezy website.",
            clinician="A referral to pelvic health physiotherapy is suggested.",
        ),
    )
}


@dataclass(frozen=True)
class Item:
    section: str  # "symptoms" | "pelvic_floor" | "load_impact" | "strength" | "holistic"
    code: str
    label: str  # UK English, short
    kind: str  # "flag" (yes/no) or "number"
    unit: str = ""  # "holds", "seconds", "reps", "minutes" ("" for flags)
    target: int | None = None  # numbers: value >= target passes; gating flags: True passes
    sided: bool = False  # recorded left and right
    maximum: int | None = None  # plausibility bound for input validation only
    gating: bool = True  # False: never holds running back (physio, strength, holistic)
    help: str = ""  # how to test / what counts
    rule: str = ""  # key into RULES
    caution: str = ""  # advice shown when a non-gating flag is True (holistic)
    exercise: str = ""  # strength: an example exercise for her, when it is a focus area
    short: str = ""  # a few characters for a chart axis
    signpost: str = ""  # key into SIGNPOSTS: where to send her when this item raises a concern
    answer_words: Answers | None = None  # flags: how the answers read (default: by section)
    her_label: str = ""  # her words, where they differ from the trainer's (her log form, her page)
    caution_for_her: str = ""  # the caution in her words, where the trainer's has terms she need not know
    group: str = ""  # key into GROUPS: a yes/no group the studio shows under its own heading

    @property
    def label_for_her(self) -> str:
        return self.her_label or self.label

    @property
    def short_label(self) -> str:
        return self.short or self.label

    @property
    def path(self) -> str:
        return f"{self.section}.{self.code}"

    @property
    def answers(self) -> Answers:
        if self.answer_words:
            return self.answer_words
        return {"symptoms": SYMPTOM_ANSWERS, "holistic": CONCERN_ANSWERS}.get(self.section, TEST_ANSWERS)

    @property
    def target_text(self) -> str:
        """"20 reps each side", "30 minutes", "Yes" for a gating yes/no test, "" when nothing is a target."""
        if self.kind == "number" and self.target is not None:
            return quantity(self.target, self.unit) + (" each side" if self.sided else "")
        if self.kind == "flag" and self.gating and self.section == "pelvic_floor":
            return self.answers.yes
        return ""

    @property
    def target_word(self) -> str:
        """"Target" for a gate, "Aim" for what never holds running back (strength)."""
        return "Target" if self.gating else "Aim"

    @property
    def value_keys(self) -> tuple[str, ...]:
        """Keys of a load_impact or strength entry that hold measurements."""
        return SIDES if self.sided else ("value",)

    @cached_property  # read for every field of every assessment a page shows
    def fields(self) -> tuple["Field", ...]:
        """This item's flat values, in order: a load test's sides (or value) and its symptoms,
        a strength test's two sides, any other item its one value."""
        if self.section == "load_impact":
            keys = (*self.value_keys, "symptoms")
        elif self.section in NESTED_SECTIONS:
            keys = self.value_keys
        else:
            keys = ("value",)
        return tuple(Field(self, key) for key in keys)


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    intro: str
    items: tuple[Item, ...]


# Yes/no groups inside a section, each under its own heading in the studio with its own
# "None of these" (DOMAIN.md: the pelvic symptoms, then the medical warning signs).
GROUPS: dict[str, str] = {
    "pelvic": "Pelvic health symptoms",
    "warning": "Medical warning signs",
}


def _symptom(code: str, label: str, her_label: str, help: str, signpost: str = "pelvic_health", group: str = "pelvic") -> Item:
    return Item("symptoms", code, label, "flag", help=help, rule="rule_1_red_flags", signpost=signpost,
                her_label=her_label, group=group)


def _warning_sign(code: str, label: str, her_label: str, help: str) -> Item:
    """DOMAIN.md "Medical warning signs": a red flag with a route of its own (signpost = code)."""
    return _symptom(code, label, her_label, help, signpost=code, group="warning")


def _load(code: str, label: str, unit: str, target: int, maximum: int, help: str, sided: bool = False) -> Item:
    return Item(
        "load_impact", code, label, "number", unit, target, sided, maximum, help=help, rule="rule_4_load_impact"
    )


def _strength(code: str, label: str, short: str, help: str, exercise: str) -> Item:
    return Item(
        "strength", code, label, "number", "reps", STRENGTH_TARGET, True, 200, gating=False, help=help, rule="rule_5_strength",
        exercise=exercise, short=short,
    )


def _holistic(code: str, label: str, help: str, caution: str, signpost: str = "", caution_for_her: str = "") -> Item:
    return Item("holistic", code, label, "flag", gating=False, help=help, rule="rule_6_holistic", caution=caution,
                signpost=signpost, caution_for_her=caution_for_her)


SECTIONS: tuple[Section, ...] = (
    Section(
        "symptoms",
        "Symptoms now",
        "Ask about each symptom as it is now. Any one present means no running for the moment, "
        "and a referral: the verdict says to whom. The pelvic symptoms are common, but not a normal part "
        "of life after birth, and they are treatable; the warning signs need medical help first.",
        (
            _symptom("urinary_leakage", "Leaking urine", "Leaking wee",
                     "Any leaking of wee she did not mean to, however small; needing a pad to cope counts."),
            _symptom("faecal_leakage", "Leaking faeces", "Leaking poo", "Any leaking of poo she did not mean to."),
            _symptom("wind_leakage", "Leaking wind", "Wind you could not hold in", "Passing wind she cannot hold in."),
            _symptom("urgency", "Urgency to reach the toilet", "A sudden need for the toilet that is hard to hold",
                     "A sudden need to get to the toilet that is hard to put off."),
            _symptom("heaviness_dragging", "Heaviness or dragging",
                     "Heaviness, dragging or a bulge in your vagina or bottom",
                     "A feeling of heaviness, pressure, a bulge or dragging in the vagina or anus."),
            _symptom("lumbopelvic_pain", "Back or pelvic pain", "", "Pain in the back or around the pelvis."),
            _symptom("pain_during_sex", "Pain during sex", "", "Any pain during intercourse."),
            _symptom("abdominal_doming", "Doming through the tummy", "A ridge or bulge down the middle of your tummy",
                     "Doming or bulging along the midline of the tummy when the core is loaded."),
            _symptom("obstructed_defecation", "Difficulty emptying the bowel", "Difficulty emptying your bowel",
                     "Straining, or a feeling that the bowel has not fully emptied."),
            # The rule refers on any "yes", at any week: the help text says when to answer yes,
            # so the two agree (beyond 8 weeks, or heavy at any time).
            _symptom("abnormal_bleeding", "Bleeding that is not a period", "",
                     "Ongoing or increased bleeding more than 8 weeks after the birth. Heavy bleeding, or "
                     "bleeding with dizziness or faintness, counts at any time: she needs help the same day.",
                     signpost="bleeding"),
            # DOMAIN.md "Medical warning signs" [Davenport et al. 2025; ACOG 2020]: each a red flag.
            _warning_sign("chest_pain", "Chest pain or pressure", "Chest pain, tightness or pressure",
                          "Any pain, tightness or pressure in the chest, at rest or with effort."),
            _warning_sign("breathlessness", "Breathless out of proportion to the effort",
                          "Much more out of breath than the effort should make you, or out of breath at rest",
                          "More breathless than the effort explains, or breathless at rest."),
            _warning_sign("dizziness_fainting", "Dizziness or fainting", "Feeling dizzy, light-headed or faint, or fainting",
                          "Dizziness or light-headedness, or she fainted."),
            _warning_sign("calf_pain_swelling", "Pain or swelling in one calf", "Pain, swelling, warmth or redness in one calf",
                          "Pain, swelling, warmth or redness in one calf (a possible clot)."),
            _warning_sign("severe_abdominal_pain", "Severe abdominal pain", "Severe or worsening pain in your tummy",
                          "Severe or worsening pain in the abdomen."),
            _warning_sign("fever_unwell", "Fever or feeling unwell", "A fever, or feeling unwell or shivery",
                          "A fever, feeling unwell, or other signs of infection."),
            _warning_sign("scar_worsening", "Scar worse with activity",
                          "Your caesarean or perineal scar getting more painful, red, swollen or weeping",
                          "A caesarean or perineal scar with pain, redness, swelling or discharge that worsens with activity."),
            _warning_sign("pregnant_again", "Could be pregnant again", "You might be pregnant again",
                          "Ask whether she could be pregnant again."),
        ),
    ),
    Section(
        "pelvic_floor",
        "Pelvic floor and core",
        "The foundations to have in place before any impact.",
        (
            Item("pelvic_floor", "long_holds", "Long holds", "number", "holds", 6, maximum=30,
                 rule="rule_3_foundations",
                 help="Squeeze and lift the pelvic floor (a Kegel), hold, let go fully, and count "
                      "the holds she can make in a row."),
            Item("pelvic_floor", "hold_seconds", "Length of each hold", "number", "seconds", 8, maximum=120,
                 rule="rule_3_foundations",
                 help="How long each of those holds lasted before the squeeze faded."),
            Item("pelvic_floor", "fast_reps", "Fast squeezes", "number", "reps", 10, maximum=100,
                 rule="rule_3_foundations",
                 help="Quick, strong squeezes, letting go fully between each one."),
            Item("pelvic_floor", "can_relax", "Can fully relax the pelvic floor", "flag",
                 rule="rule_3_foundations",
                 help="After each squeeze the pelvic floor lets go completely."),
            Item("pelvic_floor", "pressure_control", "Core tension without bearing down", "flag",
                 rule="rule_3_foundations",
                 help="Can hold tension in the core and raise pressure to steady the spine and hips "
                      "without bearing down on the pelvic floor."),
            # Rule 2's second clause: without a low-impact and strength programme behind her,
            # the 12-week timeline applies however long ago the birth was.
            Item("pelvic_floor", "strength_training_to_date", "Low-impact and strength programme done", "flag",
                 rule="rule_2_too_early",
                 help="Has followed a low-impact aerobic and strength programme up to now; "
                      "if not, that comes first, however long since the birth."),
            Item("pelvic_floor", "physio_assessed", "Seen by a pelvic health physiotherapist", "flag",
                 gating=False, rule="physio_recommendation", signpost="physio", answer_words=PHYSIO_ANSWERS,
                 caution="No pelvic health physiotherapist assessment recorded: one is recommended for "
                         "everyone returning to running.",
                 help="A personal pelvic health assessment is recommended for everyone; "
                      "the NHS Squeezy website lists local services. A date on her client record "
                      "fills this in for new assessments."),
        ),
    ),
    Section(
        "load_impact",
        "Load and impact",
        "The guideline's load and impact tests. Each must reach its target, on each side where "
        "there are two, with no pelvic floor symptoms (leaking, heaviness, dragging or pain) "
        "during it. Stop a test if symptoms appear, and record them.",
        (
            _load("walk", "Walking", "minutes", 30, 300,
                  "Walk at a comfortable pace and record the minutes managed."),
            _load("single_leg_balance", "Single leg balance", "seconds", 10, 300,
                  "Stand on one leg and record the seconds held on each side.", sided=True),
            _load("single_leg_squat", "Single leg squat", "reps", 10, 200,
                  "Squat on one leg with control and count the reps on each side.", sided=True),
            _load("jog_on_spot", "Jog on the spot", "seconds", 60, 600,
                  "Jog on the spot and record the seconds she keeps going."),
            _load("forward_bounds", "Forward bounds", "reps", 10, 200,
                  "Bound forwards from one leg to the other and count the bounds."),
            _load("hop_in_place", "Hop in place", "reps", 10, 200,
                  "Hop on one leg on the spot and count the hops on each leg.", sided=True),
            _load("running_man", "Single leg running man", "reps", 10, 200,
                  "On one leg, drive the opposite arm and the bent-knee hip forwards and back "
                  "as in running; count the reps on each side.", sided=True),
        ),
    ),
    Section(
        "strength",
        "Strength",
        "Rep tests on each leg. Falling short is not a barrier to running: it shows where to "
        "focus strength work.",
        (
            _strength("calf_raise", "Single leg calf raise", "Calf raise",
                      "Rise onto the ball of one foot and lower with control; count the reps on each leg.",
                      "Calf raises on a step, one leg at a time: 3 sets of 10–15, slowly down, holding on for balance."),
            _strength("single_leg_bridge", "Single leg bridge", "Bridge",
                      "Lying on her back, one foot down, lift and lower the hips; count the reps on each leg.",
                      "Bridges: start with both feet, then one leg; 3 sets of 10–15, squeezing the bottom at the top."),
            _strength("single_leg_sit_to_stand", "Single leg sit to stand", "Sit to stand",
                      "Stand up from a chair on one leg and sit back down with control; "
                      "count the reps on each leg.",
                      "Sit to stand from a chair: both legs first, then mostly one leg; 3 sets of 8–12 with control."),
            _strength("side_lying_abduction", "Side lying hip abduction", "Hip abduction",
                      "Lying on her side, lift the top leg and lower it slowly; count the reps on each leg.",
                      "Side-lying leg lifts, toes pointing forward: 3 sets of 12–15, lowering slowly."),
        ),
    ),
    Section(
        "holistic",
        "Wellbeing",
        "The big rocks behind recovery. None of them holds back running; they shape the plan. "
        "Tick when a concern is raised.",
        (
            _holistic("sleep", "Sleep or rest", "She is getting too little sleep or rest.",
                      "Sleep or rest is a concern: keep sessions short and flexible, and ease off "
                      "after broken nights."),
            _holistic("hydration", "Hydration", "She is often thirsty or drinks little.",
                      "Hydration is a concern: drink regularly before and after running, and more "
                      "if breastfeeding."),
            _holistic("nutrition", "Nutrition", "Her meals are irregular or she may not be eating enough.",
                      "Nutrition is a concern: eating enough supports recovery and training; "
                      "a GP or health visitor can advise."),
            _holistic("mood", "Low mood or anxiety",
                      "She mentions low mood, anxiety or not feeling herself. Record that a concern was "
                      "raised and signposted; do not score a questionnaire.",
                      "Low mood or anxiety was raised.", signpost="low_mood"),
            _holistic("stress", "Stress", "Stress from other parts of life is high right now.",
                      "Stress is a concern: running can relieve it but is also a load; keep the plan "
                      "flexible and adapt it without guilt."),
            _holistic("energy", "Low energy", "She often feels drained or short of energy.",
                      "Low energy was raised: it may mean not eating enough for training and "
                      "recovery (low energy availability, RED-S); see the GP if it persists.",
                      caution_for_her="Low energy was raised: you may not be eating enough for training and "
                                      "recovery. Eat regularly, and see your GP if it goes on."),
            _holistic("scar", "Scar healing or mobility",
                      "A caesarean or perineal scar is sore, tight or still healing.",
                      "Scar healing or mobility is a concern: ask the GP or a pelvic health "
                      "physiotherapist to check the scar before adding impact."),
            _holistic("breast_support", "Breast support", "Running is uncomfortable for her breasts.",
                      "Breast support is a concern: a well-fitted, supportive sports bra makes "
                      "running more comfortable, especially when breastfeeding."),
        ),
    ),
)

ITEMS: dict[str, Item] = {item.path: item for s in SECTIONS for item in s.items}
SECTION_CODES = tuple(s.code for s in SECTIONS)


# The one shape of an assessment, flat and nested ------------------------------------
#
# An assessment is the DOMAIN.md dict that `readiness.evaluate` reads, the JSON export writes
# and the import reads ("nested"). The same values laid out one per `Field` ("flat",
# {"strength_calf_raise_left": 17, ...}) are the database columns, the studio's form fields
# and the report's table cells. `flatten` and `nest` are the one pair of converters between
# the two: nest(flatten(x)) == x for every valid assessment dict, flatten(nest(f)) == f for
# every set of field values (tests/assessments/test_assessments.py).


@dataclass(frozen=True)
class Field:
    """One flat value of an assessment: a database column, a form field, a leaf of the dict."""

    item: Item
    key: str  # "value" (an item's single value), "left", "right" or "symptoms"

    @property
    def nested(self) -> bool:
        """Whether the item is an object in the assessment dict (load and impact, strength)."""
        return self.item.section in NESTED_SECTIONS

    @cached_property  # the column, form field and dict key: read thousands of times a page
    def name(self) -> str:
        base = f"{self.item.section}_{self.item.code}"
        return f"{base}_{self.key}" if self.nested else base

    @property
    def path(self) -> str:
        """Where it sits in the assessment dict: "load_impact.walk.value", "symptoms.urgency"."""
        return f"{self.item.path}.{self.key}" if self.nested else self.item.path

    @property
    def carries_over(self) -> bool:
        """May a retest pre-fill this from her previous assessment? Measurements only:
        symptoms now, symptoms during a test and wellbeing are always asked afresh."""
        return self.item.section in CARRIED_OVER_SECTIONS and self.key != "symptoms"

    @property
    def is_flag(self) -> bool:
        return self.item.kind == "flag" or self.key == "symptoms"

    @property
    def label(self) -> str:
        suffix = {"left": " (left)", "right": " (right)", "symptoms": ": symptoms during the test"}.get(self.key, "")
        return self.item.label + suffix

    @property
    def answers(self) -> Answers:
        return DURING_TEST_ANSWERS if self.key == "symptoms" else self.item.answers

    @property
    def legend(self) -> str:
        """What the studio writes beside its box or radios: "Left", "Result", the question itself."""
        if self.key == "symptoms":
            return "Pelvic floor symptoms during it?"
        if self.key in SIDES:
            return self.key.capitalize()
        return self.item.label if self.is_flag else "Result"

    def describe(self, value: bool | float | None) -> str:
        """A recorded value in words: "12 reps", "Yes", "No symptoms", "not tested"."""
        if self.is_flag:
            return self.answers.word(value)
        if value is None:
            return NOT_TESTED
        return quantity(value, self.item.unit)

    def problem(self, value: object) -> str:
        """Why `value` cannot be this field's value, or "" when it can (None always can: not assessed)."""
        if value is None:
            return ""
        if self.is_flag:
            return "" if isinstance(value, bool) else f"{self.label} ({self.item.path}) must be true, false or null, not {value!r}."
        if isinstance(value, int) and not isinstance(value, bool):
            return ""
        return f"{self.label} ({self.item.path}) must be a whole number or null, not {value!r}."


FIELDS: tuple[Field, ...] = tuple(field for item in ITEMS.values() for field in item.fields)
FIELDS_BY_NAME: dict[str, Field] = {field.name: field for field in FIELDS}


@dataclass(frozen=True)
class AnswerGroup:
    """Yes/no questions the studio can answer "no" together with one tap ("None of these"): each
    one still unanswered becomes "no", an answer already given is never changed, and every one
    stays visible and changeable on its own."""

    key: str  # "symptoms.warning", "load_impact.symptoms", "holistic"
    title: str
    button: str
    fields: tuple[Field, ...]

    @property
    def anchor(self) -> str:
        """Its place on the studio page: "group-symptoms-warning"."""
        return "group-" + self.key.replace(".", "-")


def _answer_groups() -> Iterator[AnswerGroup]:
    symptoms = section("symptoms").items
    for code, title in GROUPS.items():
        yield AnswerGroup(f"symptoms.{code}", title, "None of these",
                          tuple(item.fields[0] for item in symptoms if item.group == code))
    yield AnswerGroup("load_impact.symptoms", "Pelvic floor symptoms during the load and impact tests",
                      "No symptoms in any test",
                      tuple(field for item in section("load_impact").items for field in item.fields if field.key == "symptoms"))
    yield AnswerGroup("holistic", section("holistic").title, "No concerns",
                      tuple(item.fields[0] for item in section("holistic").items))



# An assessment dict as plain data (the shape above): it comes from forms, the database and
# imported JSON files, so its values are whatever was sent, and are checked where they are read
# (`Field.problem` here, `readiness._number` and `_flag`).
type Assessment = Mapping[str, object]


class ShapeError(ValueError):
    """An assessment dict that `flatten` cannot read; `.problems` says every reason in a sentence."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def flatten(nested: Assessment, problems: list[str] | None = None) -> dict[str, object]:
    """The assessment dict → {field name: value} for every `Field` (an absent one is None, not
    assessed). Keys other than the sections (assessed_on, weeks_postpartum, profile, notes...)
    are kept as they are; ranges are the form's and the database's to check.

    An unknown item or key, or a value of the wrong type, is described in a sentence and its
    field read as None: appended to `problems` when a list is given, else raised as ShapeError."""
    found: list[str] = []
    flat = {key: value for key, value in nested.items() if key not in SECTION_CODES}
    for section in SECTIONS:
        entries = nested.get(section.code, {})
        if not isinstance(entries, dict):
            found.append(f"“{section.code}” must be an object.")
            entries = {}
        items = {item.code: item for item in section.items}
        for code, value in entries.items():
            item = items.get(code)
            if item is None:
                found.append(f"Unknown item “{section.code}.{code}”.")
            elif isinstance(value, dict):
                allowed = {field.key for field in item.fields if field.nested}
                found.extend(f"Unknown key “{key}” in “{item.path}”." for key in value if key not in allowed)
        for item in section.items:
            value = entries.get(item.code)
            if section.code in NESTED_SECTIONS and value is not None and not isinstance(value, dict):
                found.append(f"“{item.path}” must be an object with {', '.join(item.value_keys)}.")
                value = None
            for field in item.fields:
                reading = (value or {}).get(field.key) if field.nested else value
                if problem := field.problem(reading):
                    found.append(problem)
                    reading = None
                flat[field.name] = reading
    if found and problems is None:
        raise ShapeError(found)
    if problems is not None:
        problems.extend(found)
    return flat


@cache
def nest_layout() -> tuple[tuple[str, str, str, str, bool], ...]:
    """(section, item, field name, key, nested) of every field in the protocol's order: what nest()
    walks, worked out once (it runs for each assessment a page or report shows)."""
    return tuple((section.code, item.code, field.name, field.key, field.nested)
                 for section in SECTIONS for item in section.items for field in item.fields)


def nest(flat: Mapping[str, object]) -> dict[str, object]:
    """{field name: value} → the assessment dict, with every section and item (a missing field is
    None, not assessed). Other keys are kept as they are, in their place; the sections take the
    place of the first field. Works on any values: the studio nests its form's fields to lay
    them out."""
    sections: dict[str, dict[str, object]] = {section.code: {} for section in SECTIONS}
    objects: dict[tuple[str, str], dict[str, object]] = {}  # the nested items' objects
    for section_code, item_code, name, key, nested in nest_layout():
        entries = sections[section_code]
        if nested:
            entry = objects.get((section_code, item_code))
            if entry is None:
                entry = objects[section_code, item_code] = entries[item_code] = {}
            entry[key] = flat.get(name)
        else:
            entries[item_code] = flat.get(name)
    assessment: dict[str, object] = {}
    placed = False
    for key, value in flat.items():
        if key not in FIELDS_BY_NAME:
            assessment[key] = value
        elif not placed:
            assessment.update(sections)
            placed = True
    if not placed:
        assessment.update(sections)
    return assessment

# The caution raised when any load and impact test brought on symptoms (it has no item of its own).
LOAD_SYMPTOMS_CODE = "load_impact.symptoms"
LOAD_SYMPTOMS_CAUTION = (
    "Pelvic floor symptoms appeared during the load and impact tests: stop any test that brings them "
    "on, and keep up daily pelvic floor training (the NHS Squeezy app can guide it)."
)


# What a "where to get help" list shows, in order: the warning signs together, then each other route.
HELP_LIST: tuple[Signpost, ...] = (
    WARNING_SIGNS_HELP,
    *(route for route in SIGNPOSTS.values() if route not in WARNING_SIGN_SIGNPOSTS),
)


def signpost_for(code: str) -> Signpost | None:
    """Where to send her for the finding with this code ("symptoms.abnormal_bleeding",
    "holistic.mood", "load_impact.symptoms"...), or None when the finding has no route."""
    if code == LOAD_SYMPTOMS_CODE:
        return SIGNPOSTS["pelvic_health"]
    item = ITEMS.get(code)
    return SIGNPOSTS[item.signpost] if item and item.signpost else None


def signposts_for_symptoms(codes: Iterable[str]) -> list[Signpost]:
    """The routes for a set of symptom codes (a session log's or a screen's), in protocol order,
    each once. "pain" (knee, hip, shin: not a red flag) goes to the GP or a physiotherapist."""
    routes = [SIGNPOSTS["musculoskeletal"] if code == "pain" else signpost_for(f"symptoms.{code}") for code in codes]
    order = list(SIGNPOSTS)
    return sorted({route.code: route for route in routes if route}.values(), key=lambda r: order.index(r.code))


def referral_to(codes: Iterable[str]) -> str:
    """Who a referral for these red-flag codes goes to, in words: "the GP or a midwife".
    Without any, the pelvic health route (the screen's usual referral)."""
    names = [name for route in signposts_for_symptoms(codes) for name in route.clinicians]
    names = list(dict.fromkeys(names)) or list(SIGNPOSTS["pelvic_health"].clinicians)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def route_text(codes: Iterable[str], reader: str) -> str:
    """Every route for these symptom codes, written for `reader`, as one passage."""
    return " ".join(route.text(reader) for route in signposts_for_symptoms(codes))
_SECTIONS_BY_CODE = {s.code: s for s in SECTIONS}


def section(code: str) -> Section:
    """The section with this code; KeyError for an unknown one."""
    return _SECTIONS_BY_CODE[code]


ANSWER_GROUPS: dict[str, AnswerGroup] = {group.key: group for group in _answer_groups()}


# Profile: from the client record; cautions only, never gates.
DELIVERY_CHOICES = (
    ("vaginal", "Vaginal birth"),
    ("instrumental", "Instrumental birth (forceps or ventouse)"),
    ("planned_caesarean", "Planned caesarean"),
    ("emergency_caesarean", "Emergency caesarean"),
)
PERINEAL_TRAUMA_CHOICES = (
    ("none", "None"),
    ("first_or_second_degree", "First- or second-degree tear"),
    ("third_or_fourth_degree", "Third- or fourth-degree tear"),
)


@dataclass(frozen=True)
class ProfileField:
    code: str
    label: str
    kind: str  # "choice" or "flag"
    choices: tuple[tuple[str, str], ...] = ()
    caution_values: tuple[str, ...] = ()  # choices that raise the caution; a flag raises it when True
    caution: str = ""


PROFILE_FIELDS: tuple[ProfileField, ...] = (
    ProfileField("delivery", "Type of birth", "choice", DELIVERY_CHOICES,
                 ("planned_caesarean", "emergency_caesarean"),
                 "Caesarean birth: check the scar has healed and moves well, and build tummy loading "
                 "gradually; the GP or a pelvic health physiotherapist can check the scar."),
    ProfileField("perineal_trauma", "Perineal tear", "choice", PERINEAL_TRAUMA_CHOICES,
                 ("third_or_fourth_degree",),
                 "Third- or fourth-degree tear: a pelvic health physiotherapist assessment is strongly "
                 "advised before running (ask the GP for a referral); keep up daily pelvic floor "
                 "training, which the NHS Squeezy app can guide."),
    ProfileField("breastfeeding", "Breastfeeding", "flag",
                 caution="Breastfeeding: feed or express before running, wear a supportive sports bra, "
                         "and eat and drink enough for both feeding and training."),
    ProfileField("prior_incontinence", "Leaking before or during pregnancy", "flag",
                 caution="Leaking before or during pregnancy brings about four times the odds of leaking "
                         "when running (Moore et al. 2021): a pelvic health physiotherapist assessment "
                         "is advised, with daily pelvic floor training (the NHS Squeezy app can guide it)."),
    ProfileField("bmi_30_or_more", "BMI 30 or more", "flag",
                 caution="BMI 30 or more: start with a lower running volume, for example no more than "
                         "3 km in the first week (Nielsen 2014), and build gradually."),
)

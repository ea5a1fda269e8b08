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
`None` or an absent key always means "not assessed", never 0 or False.
"""

from dataclasses import dataclass

GUIDELINE_CITATION = (
    "Goom T, Donnelly G, Brockwell E. Returning to running postnatal – guidelines for "
    "medical, health and fitness professionals managing this population. 2019."
)

MIN_WEEKS_POSTPARTUM = 12
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

VERDICTS = (
    ("refer", "Refer: see the GP or a pelvic health physiotherapist"),
    ("not_yet", "Not yet: keep building"),
    ("ready", "Ready for a graded walk–run return"),
)


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

    @property
    def short_label(self) -> str:
        return self.short or self.label

    @property
    def path(self) -> str:
        return f"{self.section}.{self.code}"

    @property
    def value_keys(self) -> tuple[str, ...]:
        """Keys of a load_impact or strength entry that hold measurements."""
        return SIDES if self.sided else ("value",)


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    intro: str
    items: tuple[Item, ...]


def _symptom(code, label, help):
    return Item("symptoms", code, label, "flag", help=help, rule="rule_1_red_flags")


def _load(code, label, unit, target, maximum, help, sided=False):
    return Item(
        "load_impact", code, label, "number", unit, target, sided, maximum, help=help, rule="rule_4_load_impact"
    )


def _strength(code, label, short, help, exercise):
    return Item(
        "strength", code, label, "number", "reps", 20, True, 200, gating=False, help=help, rule="rule_5_strength",
        exercise=exercise, short=short,
    )


def _holistic(code, label, help, caution):
    return Item("holistic", code, label, "flag", gating=False, help=help, rule="rule_6_holistic", caution=caution)


SECTIONS: tuple[Section, ...] = (
    Section(
        "symptoms",
        "Symptoms now",
        "Ask about each symptom as it is now. Any one present means no running for the moment: "
        "see the GP or a pelvic health physiotherapist. These are common, but not a normal part "
        "of life after birth, and they are treatable.",
        (
            _symptom("urinary_leakage", "Leaking urine",
                     "Any leaking of wee she did not mean to, however small; needing a pad to cope counts."),
            _symptom("faecal_leakage", "Leaking faeces", "Any leaking of poo she did not mean to."),
            _symptom("wind_leakage", "Leaking wind", "Passing wind she cannot hold in."),
            _symptom("urgency", "Urgency to reach the toilet",
                     "A sudden need to get to the toilet that is hard to put off."),
            _symptom("heaviness_dragging", "Heaviness or dragging",
                     "A feeling of heaviness, pressure, a bulge or dragging in the vagina or anus."),
            _symptom("lumbopelvic_pain", "Back or pelvic pain", "Pain in the back or around the pelvis."),
            _symptom("pain_during_sex", "Pain during sex", "Any pain during intercourse."),
            _symptom("abdominal_doming", "Doming through the tummy",
                     "Doming or bulging along the midline of the tummy when the core is loaded."),
            _symptom("obstructed_defecation", "Difficulty emptying the bowel",
                     "Straining, or a feeling that the bowel has not fully emptied."),
            _symptom("abnormal_bleeding", "Unexpected bleeding",
                     "Ongoing or increased bleeding more than 8 weeks after the birth that is not a period."),
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
                 gating=False, rule="physio_recommendation",
                 help="A personal pelvic health assessment is recommended for everyone; "
                      "the NHS Squeezy website lists local services."),
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
                      "Low mood or anxiety was raised: please talk to your GP or health visitor, "
                      "who can help. If you have thoughts of harming yourself, get help the same day: "
                      "call 111, or 999 or go to A&E in an emergency; Samaritans are free on 116 123, "
                      "day or night."),
            _holistic("stress", "Stress", "Stress from other parts of life is high right now.",
                      "Stress is a concern: running can relieve it but is also a load; keep the plan "
                      "flexible and adapt it without guilt."),
            _holistic("energy", "Low energy", "She often feels drained or short of energy.",
                      "Low energy was raised: it may mean not eating enough for training and "
                      "recovery (low energy availability, RED-S); see the GP if it persists."),
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
_SECTIONS_BY_CODE = {s.code: s for s in SECTIONS}


def section(code: str) -> Section:
    """The section with this code; KeyError for an unknown one."""
    return _SECTIONS_BY_CODE[code]


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

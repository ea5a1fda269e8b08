from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Studio, Trainer
from assessments.models import Assessment, values_at_target
from clients.models import Client
from programmes.models import Exercise, Plan, Programme, SessionLog, StrengthItem, StrengthLog, StrengthPlan

DEMO_EMAIL = "demo@restride.example"
DEMO_PASSWORD = "restride-demo-2026"

# Eight clients at different stages after birth: (name, weeks since birth, profile, goal).
DEMO_CLIENTS = [
    ("Amira Haddad", 7,
     dict(delivery="vaginal", perineal_trauma="first_or_second_degree", breastfeeding=True), "Jog with the buggy by spring"),
    ("Beth Okafor", 11, dict(delivery="emergency_caesarean", perineal_trauma="none", breastfeeding=True), "Get back to parkrun"),
    ("Chloe Brennan", 14,
     dict(delivery="instrumental", perineal_trauma="third_or_fourth_degree", breastfeeding=False, prior_incontinence=True),
     "Run without leaking"),
    ("Dani Kowalska", 16, dict(delivery="vaginal", perineal_trauma="none", breastfeeding=True, bmi_30_or_more=True), "Run 5k for charity"),
    ("Erin MacLeod", 22, dict(delivery="planned_caesarean", perineal_trauma="none", breastfeeding=False), "Hill running with the club"),
    ("Fatima Rahman", 30, dict(delivery="vaginal", perineal_trauma="first_or_second_degree", breastfeeding=True), "Couch to 5k"),
    ("Grace Adeyemi", 40,
     dict(delivery="vaginal", perineal_trauma="none", breastfeeding=False, prior_incontinence=False), "Half marathon next autumn"),
    ("Hannah Li", 58, dict(delivery="emergency_caesarean", perineal_trauma="none", breastfeeding=False), "Run to work twice a week"),
]


STRONGER_WEEKS_LATER = dict(strength_calf_raise_left=16, strength_calf_raise_right=18, strength_single_leg_bridge_left=14)
# Per client: (weeks after birth, measurements that differ from "on target").
DEMO_ASSESSMENTS = {
    "Amira Haddad": [(6, dict(
        pelvic_floor_long_holds=4, pelvic_floor_hold_seconds=6, pelvic_floor_fast_reps=8,
        load_impact_jog_on_spot_value=None, load_impact_forward_bounds_value=None,
        load_impact_hop_in_place_left=None, load_impact_hop_in_place_right=None, load_impact_hop_in_place_symptoms=None,
        load_impact_running_man_left=None, load_impact_running_man_right=None, load_impact_running_man_symptoms=None,
        strength_calf_raise_left=9, strength_calf_raise_right=11, holistic_sleep=True))],
    "Beth Okafor": [(10, dict(pelvic_floor_strength_training_to_date=False, strength_single_leg_sit_to_stand_left=8,
                              strength_single_leg_sit_to_stand_right=10, holistic_scar=True, holistic_energy=True))],
    "Chloe Brennan": [(13, dict(symptoms_urinary_leakage=True, symptoms_heaviness_dragging=True,
                                load_impact_hop_in_place_symptoms=True, load_impact_forward_bounds_value=6,
                                pelvic_floor_physio_assessed=False, holistic_mood=True))],
    "Dani Kowalska": [
        (10, dict(pelvic_floor_long_holds=4, pelvic_floor_fast_reps=7, load_impact_single_leg_squat_left=6,
                  load_impact_single_leg_squat_right=7, load_impact_hop_in_place_left=5, load_impact_hop_in_place_right=6,
                  strength_calf_raise_left=10, strength_calf_raise_right=12, strength_single_leg_bridge_left=9,
                  strength_single_leg_bridge_right=11, pelvic_floor_physio_assessed=False)),
        (13, dict(load_impact_hop_in_place_left=8, load_impact_hop_in_place_right=9,
                  strength_calf_raise_left=14, strength_calf_raise_right=15, strength_single_leg_bridge_left=12)),
        (16, STRONGER_WEEKS_LATER),
    ],
    "Erin MacLeod": [(20, dict(strength_side_lying_abduction_left=17, holistic_breast_support=True))],
    "Fatima Rahman": [(28, dict(load_impact_hop_in_place_symptoms=True, load_impact_running_man_right=7,
                                holistic_stress=True))],
    "Grace Adeyemi": [(30, dict(load_impact_forward_bounds_value=8)), (34, {})],
    "Hannah Li": [(44, {}), (50, dict(symptoms_abdominal_doming=True, holistic_nutrition=True))],
}

CLEAN: tuple[str, int, list[str]] = ("completed", 5, [])
# Per client: (template, days since the programme started, sessions logged in order as (outcome, effort, symptoms)).
DEMO_PROGRAMMES = {
    "Erin MacLeod": ("Walk–run to 30 minutes", 12, [CLEAN] * 5),  # on track: week 2
    "Grace Adeyemi": ("Walk–run to 30 minutes", 30, [CLEAN] * 9 + [CLEAN, ("partial", 6, ["pain"])]),  # repeating week 4
    "Hannah Li": ("Walk–run to 30 minutes", 40, [CLEAN] * 4 + [("partial", 7, ["urinary_leakage"])]),  # paused: referral
}


# Per client: (days since her strength plan started, the tests it serves, days ago she ticked a session).
DEMO_STRENGTH = {
    "Dani Kowalska": (42, ("strength.calf_raise", "strength.single_leg_bridge", "pelvic_floor.long_holds",
                           "pelvic_floor.fast_reps", "pelvic_floor.can_relax"), (40, 37, 33, 30, 26, 23, 19, 16, 12, 9, 5, 2)),
}


class Command(BaseCommand):
    help = "Create the demo trainer and her demo clients (kept as they are when they already exist)."

    @transaction.atomic
    def handle(self, **options):
        trainer = Trainer.objects.filter(email=DEMO_EMAIL).first()
        if trainer is None:
            studio = Studio.objects.create(name="Restride Demo Studio", phone="0161 496 0000")
            trainer = Trainer(email=DEMO_EMAIL, full_name="Jo Demo", studio=studio, role=Trainer.OWNER)
        trainer.set_password(DEMO_PASSWORD)
        trainer.save()
        if not trainer.clients.exists():
            self.create_clients(trainer)
        self.stdout.write(self.style.SUCCESS(
            f"\nDemo data ready. Sign in with\n  email:    {DEMO_EMAIL}\n  password: {DEMO_PASSWORD}\n"
        ))

    def create_clients(self, trainer):
        today = timezone.localdate()
        now = timezone.now()
        for index, (name, weeks, profile, goal) in enumerate(DEMO_CLIENTS):
            first = name.split()[0].lower()
            client = Client.objects.create(
                trainer=trainer,
                full_name=name,
                email=f"{first}@example.com",
                phone=f"07700 900{100 + index}",
                date_of_birth=today.replace(year=today.year - 29 - index % 6, month=1 + index, day=10),
                baby_date_of_birth=today - timedelta(weeks=weeks, days=index % 7),
                goal=goal,
                gp_check_date=today - timedelta(weeks=weeks - 6) if weeks > 7 else None,
                physio_seen_date=today - timedelta(weeks=weeks - 10) if weeks > 16 else None,
                consent_recorded_at=now - timedelta(weeks=max(weeks - 6, 1)),
                consent_recorded_by=trainer,
                last_activity_at=now - timedelta(days=index * 2),
                **profile,
            )
            self.create_history(trainer, client)

    def create_history(self, trainer, client):
        """Assessments for a demo client: every verdict, and Dani improving over three visits."""
        for weeks, overrides in DEMO_ASSESSMENTS.get(client.full_name, []):
            assessed_on = client.baby_date_of_birth + timedelta(weeks=weeks)
            values = {**values_at_target(), **overrides}
            Assessment.objects.create(client=client, assessed_on=assessed_on, recorded_by=trainer, **values)
        if client.full_name in DEMO_PROGRAMMES:
            self.create_programme(trainer, client, *DEMO_PROGRAMMES[client.full_name])
        if client.full_name in DEMO_STRENGTH:
            self.create_strength_plan(trainer, client, *DEMO_STRENGTH[client.full_name])

    def create_strength_plan(self, trainer, client, days_ago, serves, ticked):
        """Her strength plan from the built-in library, with the sessions she ticked (issue 24)."""
        today = timezone.localdate()
        plan = StrengthPlan.objects.create(client=client, assigned_by=trainer, start_date=today - timedelta(days=days_ago),
                                           log_sequence=len(ticked))
        exercises = {e.serves: e for e in Exercise.objects.filter(studio=None, serves__in=serves)}
        StrengthItem.objects.bulk_create(
            StrengthItem(plan=plan, exercise=exercises[code], position=position, daily=code.startswith("pelvic_floor"),
                         **{f: getattr(exercises[code], f) for f in ("name", "serves", "steps", "sets", "reps",
                                                                     "hold_seconds", "tempo", "load")})
            for position, code in enumerate(serves, start=1)
        )
        StrengthLog.objects.bulk_create(
            StrengthLog(plan=plan, sequence=sequence, done_on=today - timedelta(days=days), logged_by_client=True)
            for sequence, days in enumerate(ticked, start=1)
        )

    def create_programme(self, trainer, client, template_name, days_ago, sessions):
        template = Plan.objects.get(studio=None, name=template_name)
        start = timezone.localdate() - timedelta(days=days_ago)
        programme = Programme.objects.create(
            client=client, plan=template.copy(trainer=trainer, is_template=False), start_date=start, assigned_by=trainer
        )
        for index, (outcome, effort, symptoms) in enumerate(sessions):
            state = Programme.objects.filter(pk=programme.pk).with_progress().get().state
            SessionLog.objects.create(
                programme=programme, week=state.week, session_number=state.session, outcome=outcome, effort=effort,
                symptoms=symptoms, done_on=min(start + timedelta(days=2 * index + index // 3), timezone.localdate()),
                logged_by=trainer,
            )

"""Build the scale volume the benchmarks measure, through the models (bulk inserts, no SQL).

50 trainers × 200 clients × 12 assessments (a third of the clients with a programme and
logs), plus one trainer with 1,000 clients, and one trainer whose two clients are alike but
for their history: 12 assessments and 300 (the pages of her must cost the same). Every
trainer signs in with the demo password. Seeded, so two runs build the same book. Run on a
scratch database: it adds, never clears. It ends with ANALYZE, so the planner knows the
tables' sizes when the benchmarks run, as it would in an installation that grew to them.
"""

import random
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import Subquery
from django.utils import timezone

from accounts.models import Studio, Trainer
from assessments.models import Assessment, values_at_target
from clients.models import Client, latest_assessment_id
from programmes import progression
from programmes.models import Plan, PlanBlock, PlanSession, Programme, SessionLog
from reports.management.commands.loaddemo import DEMO_PASSWORD

BATCH = 2000


class Command(BaseCommand):
    help = "Build the scale volume: 50 trainers × 200 clients × 12 assessments, plus a trainer with 1,000 clients."

    def add_arguments(self, parser):
        parser.add_argument("--trainers", type=int, default=50)
        parser.add_argument("--clients", type=int, default=200, help="clients per trainer")
        parser.add_argument("--assessments", type=int, default=12, help="assessments per client")
        parser.add_argument("--big-book", type=int, default=1000, help="clients of the one large trainer (0: none)")
        parser.add_argument("--long-history", type=int, default=300,
                            help="assessments of the long-history client, beside one with 12 (0: none)")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *, trainers, clients, assessments, big_book, long_history, seed, **options):
        self.random = random.Random(seed)
        self.password = make_password(DEMO_PASSWORD)  # hashed once: argon2 is slow on purpose
        self.template = Plan.objects.get(studio=None, name="Walk–run to 30 minutes")
        self.template_sessions = list(self.template.sessions.prefetch_related("blocks"))
        books = [(f"scale-{n:02d}@restride.example", f"Scale Trainer {n:02d}", clients, assessments)
                 for n in range(1, trainers + 1)]
        if big_book:
            books.append(("bigbook@restride.example", "Big Book Trainer", big_book, 3))
        for email, name, count, per_client in books:
            with transaction.atomic():
                trainer = Trainer.objects.create(email=email, full_name=name, password=self.password,
                                                 studio=Studio.objects.create(name=f"{name} Studio"))
                self.book(trainer, count, per_client)
            self.stdout.write(f"{email}: {count} clients × {per_client} assessments")
        if long_history:
            with transaction.atomic():
                trainer = Trainer.objects.create(email="history@restride.example", full_name="Long History Trainer",
                                                 password=self.password, studio=Studio.objects.create(name="Long History Studio"))
                for name, count in (("Twelve", 12), ("Long", long_history)):
                    self.book(trainer, 1, count, name=f"{name} History", everyone_runs=True)
            self.stdout.write(f"history@restride.example: a client with 12 assessments and one with {long_history}")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"Scale volume ready; every trainer's password is {DEMO_PASSWORD}"))

    def book(self, trainer, count, per_client, name=None, everyone_runs=False):
        """`count` clients of `per_client` assessments each; `everyone_runs`: each one's latest
        assessment is "ready" and she has a programme with six sessions logged."""
        today, now = timezone.localdate(), timezone.now()
        rng = self.random
        clients = Client.objects.bulk_create(
            Client(trainer=trainer, studio_id=trainer.studio_id, full_name=name or f"Client {index:04d} of {trainer.full_name}",
                   baby_date_of_birth=today - timedelta(weeks=per_client * 2 + 14 + rng.randrange(40)),
                   breastfeeding=rng.choice([True, False, None]), consent_recorded_at=now, consent_recorded_by=trainer,
                   last_activity_at=now - timedelta(minutes=index))
            for index in range(count)
        )
        rows = []
        for client in clients:
            first = client.baby_date_of_birth + timedelta(weeks=12)
            for number in range(per_client):
                values = self.values(number, per_client)
                if everyone_runs and number == per_client - 1:
                    values = values_at_target()
                assessment = Assessment(client=client, assessed_on=first + timedelta(weeks=2 * number),
                                        recorded_by=trainer, **values)
                assessment.verdict = assessment.result.verdict
                rows.append(assessment)
        Assessment.objects.bulk_create(rows, batch_size=BATCH)
        # Written in bulk, past Assessment.save(): keep each client's latest one on her row.
        Client.objects.filter(pk__in=[c.pk for c in clients]).update(latest_assessment=Subquery(latest_assessment_id()))
        latest = {a.client_id: a for a in rows}  # in date order: the last one wins
        if everyone_runs:
            self.programmes(trainer, clients, today, logged=6)
        else:
            running = [c for c in clients if latest[c.pk].verdict == "ready" and rng.random() < 0.5][: count // 3]
            self.programmes(trainer, running, today)
        # Written in bulk, past the operations: what each row keeps of her data (home's worklist).
        Client.refresh_derived_of(Client.objects.filter(pk__in=[c.pk for c in clients]))

    def values(self, number, total):
        """Mostly improving towards "ready"; now and then a red flag or a missed test."""
        values = values_at_target()
        rng = self.random
        behind = total - number - 1  # assessments still to come
        if behind and rng.random() < 0.6:
            values["pelvic_floor_fast_reps"] = 10 - min(behind, 6)
            values["load_impact_hop_in_place_left"] = 10 - min(behind, 5)
        if rng.random() < 0.05:
            values["symptoms_urinary_leakage"] = True
        for side in ("left", "right"):
            values[f"strength_calf_raise_{side}"] = 20 - min(behind * 2, 12) + rng.randrange(3)
        return values

    def programmes(self, trainer, clients, today, logged=None):
        if not clients:
            return
        plans = Plan.objects.bulk_create(
            Plan(studio_id=trainer.studio_id, trainer=trainer, name=self.template.name, description=self.template.description,
                 is_template=False)
            for _ in clients
        )
        sessions = PlanSession.objects.bulk_create(
            [PlanSession(plan=plan, week=s.week, number=s.number, warm_up_seconds=s.warm_up_seconds,
                         cool_down_seconds=s.cool_down_seconds)
             for plan in plans for s in self.template_sessions],
            batch_size=BATCH,
        )
        per_plan = len(self.template_sessions)
        PlanBlock.objects.bulk_create(
            [PlanBlock(session=new, position=b.position, run_seconds=b.run_seconds, walk_seconds=b.walk_seconds,
                       repeats=b.repeats)
             for index, new in enumerate(sessions) for b in self.template_sessions[index % per_plan].blocks.all()],
            batch_size=BATCH,
        )
        shape = tuple(len([s for s in self.template_sessions if s.week == week])
                      for week in sorted({s.week for s in self.template_sessions}))
        programmes = Programme.objects.bulk_create(
            Programme(client=client, plan=plan, start_date=today - timedelta(days=40), assigned_by=trainer)
            for client, plan in zip(clients, plans, strict=True)
        )
        logs = []
        for programme in programmes:
            events = []
            for index in range(self.random.randrange(13) if logged is None else logged):
                state = progression.replay(shape, events)
                if state.status != "active":
                    break
                symptoms = ["pain"] if logged is None and self.random.random() < 0.08 else []
                event = progression.LoggedSession("completed", 5, symptoms)
                events.append(event)
                logs.append(SessionLog(programme=programme, sequence=index + 1, week=state.week, session_number=state.session,
                                       done_on=programme.start_date + timedelta(days=2 * index + index // 3),
                                       outcome="completed", effort=5, symptoms=symptoms, logged_by=trainer))
            programme.log_sequence = len(events)
        SessionLog.objects.bulk_create(logs, batch_size=BATCH)
        Programme.objects.bulk_update(programmes, ["log_sequence"], batch_size=BATCH)
        # Written in bulk, past the operations: work out their stored state the same way.
        Programme.refresh_states(Programme.objects.filter(pk__in=[p.pk for p in programmes]))

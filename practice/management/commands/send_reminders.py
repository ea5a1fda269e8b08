from django.core.management.base import BaseCommand

from practice.reminders import run


class Command(BaseCommand):
    help = ("Queue the reminder emails due now (hers and trainers' daily digests), each once per "
            "(recipient, kind, day); the worker sends them. Run every hour.")

    def handle(self, *args, **options):
        claimed = run()
        self.stdout.write(f"{len(claimed)} reminder(s) queued")

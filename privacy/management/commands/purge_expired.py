from django.core.management.base import BaseCommand

from accounts.limits import expired as expired_counters
from privacy.erasure import purge


class Command(BaseCommand):
    help = ("Erase archived clients, with everything about them (stored reports included), once their "
            "studio's retention period (its owner's setting, days after archiving) has passed. Run it daily.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would be erased; erase nothing.")

    def handle(self, *args, dry_run=False, **options):
        gone = purge(dry_run=dry_run)
        verb = "Would erase" if dry_run else "Erased"
        for pk, trainer, archived_at, assessments in gone:
            # Ids, not names: this output may end up in a log file.
            self.stdout.write(f"{verb} client #{pk} of {trainer.email} (studio #{trainer.studio_id}): archived "
                              f"{archived_at:%-d %b %Y}, {assessments} assessment{'s' if assessments != 1 else ''}")
        self.stdout.write(f"{verb} {len(gone)} client{'s' if len(gone) != 1 else ''} past her studio's retention period.")
        # Rate-limit counters whose window has ended count nothing any more.
        if not dry_run and (removed := expired_counters().delete()[0]):
            self.stdout.write(f"Removed {removed} expired rate-limit counter{'s' if removed != 1 else ''}.")

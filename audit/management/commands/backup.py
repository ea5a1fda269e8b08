from django.conf import settings
from django.core.management.base import BaseCommand

from audit.backups import dump


class Command(BaseCommand):
    help = "Dump the PostgreSQL database (pg_dump custom format, logos included) into BACKUP_DIR."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=None, help="Where to write the dump (default: BACKUP_DIR).")
        parser.add_argument("--keep", type=int, default=None, help="Keep only this many newest dumps in the folder.")

    def handle(self, *args, dir=None, keep=None, **options):
        path = dump(dir or settings.BACKUP_DIR, keep=keep)
        self.stdout.write(f"Backup written: {path} ({path.stat().st_size:,} bytes)")

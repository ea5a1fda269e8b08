import dj_database_url
from django.core.management.base import BaseCommand, CommandError

from audit.backups import restore


class Command(BaseCommand):
    help = ("Restore a dump made by `backup` into an empty PostgreSQL database. The target is "
            "named explicitly, never taken from DATABASE_URL, so a restore cannot overwrite live data "
            "by accident: restore into a new database, check it, then point DATABASE_URL at it.")

    def add_arguments(self, parser):
        parser.add_argument("dump", help="The .dump file.")
        parser.add_argument("--into", required=True, help="postgres://user:password@host:5432/new_database (must exist and be empty)")

    def handle(self, *args, dump, into, **options):
        target = dj_database_url.parse(into)
        if not target["ENGINE"].endswith("postgresql"):
            raise CommandError("--into must be a postgres:// address.")
        restore(dump, target)
        self.stdout.write(f"Restored {dump} into {target['NAME']}. Run `manage.py migrate` against it, then check it.")

"""CPU time of one trainer-home request, in process, for a small and a big client book.

wrk's requests per second (bench/pages.py) move with whatever else the machine is doing;
the CPU time this process spends rendering home does not, so this is the figure to compare
between a book of 8 clients and one of 1,000 (the issue's aim: at most 2×). Run it on a
database that bench/pages.py --scale has filled (it leaves the demo and scale data behind):

    DATABASE_URL=postgres://…/scratch .venv/bin/python bench/home.py [--requests 30]

Database time is included only as the time this process waits for it (wall time); CPU time
is this process alone. Both are printed, with the queries and the page size.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("REQUIRE_2FA", "false")

BOOKS = {"demo@restride.example": "demo (8 clients)", "bigbook@restride.example": "the 1,000-client book"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="requests per trainer (default 30)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    # No collectstatic here: plain static URLs instead of the production manifest.
    plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    override_settings(STORAGES=plain).enable()

    from accounts.models import Trainer

    from django.core.cache import cache

    print(f"{'trainer home for':32} {'clients':>8} {'CPU ms':>8} {'wall ms':>8} {'queries':>8} {'kB':>7}")
    for (email, label), drawn in ((book, drawn) for drawn in (True, False) for book in BOOKS.items()):
        # Drawn: the page cache emptied before each request, as after a change to her book;
        # cached: what every request between two changes costs.
        label = f"{label}, {'drawn' if drawn else 'cached'}"
        trainer = Trainer.objects.filter(email=email).first()
        if trainer is None:
            raise SystemExit(f"No {email}: run bench/pages.py --scale on this database first.")
        http = Client()
        http.force_login(trainer)
        http.get("/")  # warm: templates, connections
        cpu, wall = [], []
        for _ in range(args.requests):
            if drawn:
                cache.clear()
            started_cpu, started_wall = time.process_time(), time.perf_counter()
            response = http.get("/")
            cpu.append(time.process_time() - started_cpu)
            wall.append(time.perf_counter() - started_wall)
        if drawn:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            http.get("/")
        print(f"{label:32} {trainer.clients.count():8d} {statistics.median(cpu) * 1000:8.1f} "
              f"{statistics.median(wall) * 1000:8.1f} {len(queries):8d} {len(response.content) / 1024:7.1f}")


if __name__ == "__main__":
    main()

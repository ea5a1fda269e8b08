"""Requests per second of each signed-in page against a bare login-required view.

Serves the app with gunicorn (production settings, DEBUG off, 2 workers) on a scratch
database, signs in and drives each URL with wrk for a few seconds from this machine, and
counts each page's database queries. Run:

    .venv/bin/python bench/pages.py [--seconds 5] [--scale]

Without --scale it measures the demo trainer's pages on the demo data. With --scale it
then loads the scale volume (`manage.py loadscale`: 50 trainers × 200 clients × 12
assessments, a third of them with programmes and logs, plus one trainer with 1,000
clients) into the same database and measures again, as a trainer of 200 clients and as
the trainer of 1,000. Set DATABASE_URL to a scratch PostgreSQL database to measure there
(it is flushed first); the default is a scratch SQLite file. Set REDIS_URL to share the
cache between the workers as production does.
"""

import argparse
import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8765"))  # BENCH_PORT to run beside another server
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "restride-demo-2026"  # the demo's; loadscale gives its trainers the same one


def manage(env, *args, capture=False):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                            stdout=subprocess.PIPE if capture else subprocess.DEVNULL, text=True)
    return result.stdout


def sign_in(email):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{BASE}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": email, "password": PASSWORD}).encode()
    opener.open(urllib.request.Request(f"{BASE}/accounts/login/", data, headers={"Referer": f"{BASE}/accounts/login/"}))
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def requests_per_second(url, cookie, seconds):
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "-H", f"Cookie: {cookie}", url],
                         capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise SystemExit(f"{url} answered {non_2xx.group(1)} errors:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def page_size(url, cookie):
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    return len(urllib.request.urlopen(request).read())


def pages_of(env, email):
    """The URLs to measure for this trainer: her busiest client (assessments and a programme)."""
    ids = manage(env, "shell", "-c", IDS.replace("EMAIL", email), capture=True).split()
    client, assessment, plan, token = ids[-4:]
    return {
        "bare login-required view": "/bench/bare/",
        "trainer home": "/",
        "client list": "/clients/",
        "client page (assessments + programme)": f"/clients/{client}/",
        "studio entry screen": f"/assessments/{assessment}/",
        "compare assessments": f"/clients/{client}/assessments/compare/",
        "programme templates": "/plans/",
        "plan detail (9 weeks)": f"/plans/{plan}/",
        "client progress page (private link)": f"/p/{token}/",
    }


def query_counts(env, email, pages):
    script = QUERIES.replace("EMAIL", email).replace("PATHS", repr(list(pages.values())))
    counts = manage(env, "shell", "-c", script, capture=True).split()[-len(pages):]
    return dict(zip(pages, map(int, counts), strict=True))


def measure(env, email, seconds, label, only=None):
    pages = pages_of(env, email)
    if only:
        pages = {name: path for name, path in pages.items() if name in only}
    cookie = sign_in(email)
    queries = query_counts(env, email, pages)
    rows = []
    for name, path in pages.items():
        rows.append((name, requests_per_second(BASE + path, cookie, seconds), queries[name], page_size(BASE + path, cookie)))
    bare = rows[0][1]
    print(f"\n{label}\n{'page':42} {'req/s':>8} {'of bare':>8} {'queries':>8} {'kB':>7}")
    for name, rps, count, size in rows:
        print(f"{name:42} {rps:8.0f} {rps / bare:8.0%} {count:8d} {size / 1024:7.1f}")
    shares = sorted(rps / bare for name, rps, *_ in rows[1:])
    if shares:
        print(f"Slowest page {shares[0]:.0%} of the bare view, median {shares[len(shares) // 2]:.0%} "
              "(aims: every page at least 20%, the median at least 35%; long run 50%).")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="wrk run per page (default 5)")
    parser.add_argument("--scale", action="store_true", help="also measure at the scale volume")
    parser.add_argument("--reuse", action="store_true",
                        help="measure every page again on the data an earlier --scale run left (no flush, no load)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("Install wrk first (apt-get install wrk).")
    scratch = Path(tempfile.mkdtemp(prefix="restride-bench-"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "false", "SECRET_KEY": "bench-" + "x" * 40,
           "ALLOWED_HOSTS": "127.0.0.1,testserver", "SECURE_SSL_REDIRECT": "false", "AXES_FAILURE_LIMIT": "1000",
           "REQUIRE_2FA": "false", "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")}
    manage(env, "migrate", "--noinput")
    if not args.reuse:
        manage(env, "flush", "--noinput")  # a scratch database: start from nothing
        manage(env, "shell", "-c", BUILTINS)  # flush removed the built-in templates a data migration installed
        manage(env, "loaddemo")
    manage(env, "collectstatic", "--noinput")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "bench.wsgi", "--bind", f"127.0.0.1:{PORT}",
                               "--workers", "2", "--log-level", "warning"], cwd=ROOT, env=env)
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(f"{BASE}/accounts/login/")
                break
            except OSError:
                time.sleep(0.2)
        measure(env, "demo@restride.example", args.seconds, "Demo volume: the demo trainer, 8 clients")
        if args.scale and not args.reuse:
            started = time.monotonic()
            manage(env, "loadscale")
            print(f"\nloadscale took {time.monotonic() - started:.0f} s")
        if args.scale or args.reuse:
            measure(env, "scale-01@restride.example", args.seconds,
                    "Scale volume: a trainer of 200 clients × 12 assessments, among 50 such trainers")
            measure(env, "bigbook@restride.example", args.seconds, "Scale volume: the trainer of 1,000 clients",
                    only={"bare login-required view", "trainer home", "client list"})
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(ROOT / "staticfiles", ignore_errors=True)


BUILTINS = """
from importlib import import_module
from django.apps import apps
import_module("programmes.migrations.0002_builtin_templates").install(apps, None)
"""

IDS = """
from django.db.models import Count
from accounts.models import Trainer
from clients.models import ShareLink
from programmes.models import Programme
trainer = Trainer.objects.get(email="EMAIL")
programme = (Programme.objects.filter(client__trainer=trainer).select_related("client")
             .annotate(n=Count("client__assessments")).order_by("-n", "pk").first())
client = programme.client
_, token = ShareLink.issue(client, trainer)
print(client.pk, client.assessments.first().pk, programme.plan_id, token)
"""

QUERIES = """
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from accounts.models import Trainer
http = Client()
http.force_login(Trainer.objects.get(email="EMAIL"))
for path in PATHS:
    http.get(path)  # warm the caches as the benchmark does
    with CaptureQueriesContext(connection) as queries:
        assert http.get(path).status_code == 200, path
    print(len(queries))
"""

if __name__ == "__main__":
    main()

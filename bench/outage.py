"""What a trainer and her client get while Redis is down or hung: status and time of each request.

Serves the app with gunicorn (production settings, DEBUG off, 2 workers) on a scratch SQLite
database with the demo data, three times: with REDIS_URL naming a Redis that answers, one where
nothing listens (every connection refused) and one that accepts connections and never answers
(a hung server, played by this script). Each time it signs in, opens home, the client page and
her page, sends bad private-link tokens until the throttle answers, saves a studio field (htmx)
and asks /healthz, and prints each request's status and time. Run:

    .venv/bin/python bench/outage.py [--requests 10] [--root PATH_TO_ANOTHER_CHECKOUT]

--root serves another checkout's code (an older commit, to compare) with this one's Python.
BENCH_REDIS_URL names the Redis that answers (default redis://127.0.0.1:6379/3).
"""

import argparse
import http.cookiejar
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

PORT = int(os.environ.get("BENCH_PORT", "8766"))
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "restride-demo-2026"
DEAD_REDIS = "redis://127.0.0.1:6390/3"  # nothing listens on 6390


def hung_redis():
    """A server that accepts every connection and never says a word; returns its URL."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held = []

    def accept():
        while True:
            held.append(server.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    return f"redis://127.0.0.1:{server.getsockname()[1]}/3"


class Session:
    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def csrf(self):
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, path, data=None, headers=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(BASE + path, body, headers={"Referer": BASE + path, **(headers or {})})
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=60) as response:
                status, text = response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        except OSError as error:
            status, text = f"failed ({error.__class__.__name__})", ""
        return status, time.monotonic() - started, text


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def manage(env, root, *args, capture=False):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=root, env=env, check=True,
                            stdout=subprocess.PIPE if capture else subprocess.DEVNULL, text=True)
    return result.stdout


IDS = """
from accounts.models import Trainer
from clients.models import ShareLink
trainer = Trainer.objects.get(email="demo@restride.example")
client = trainer.clients.filter(assessments__isnull=False).order_by("pk").first()
_, token = ShareLink.issue(client, trainer)
assessment = client.assessments.first()
print(client.pk, assessment.pk, assessment.assessed_on.isoformat(), token)
"""


RESET = """
from axes.models import AccessAttempt
AccessAttempt.objects.all().delete()
try:
    from accounts.models import RateCount
except ImportError:  # an older checkout: its counters were in the cache
    pass
else:
    RateCount.objects.all().delete()
"""


def run(env, root, requests):
    """Every request of the round, as (what, [(status, seconds)…])."""
    client_pk, assessment_pk, assessed_on, token = manage(env, root, "shell", "-c", IDS, capture=True).split()[-4:]
    rows = []
    for _ in range(3):  # a fresh visitor each time: sign-in from the start
        trainer = Session()
        trainer.request("/accounts/login/")
        status, seconds, _ = trainer.request("/accounts/login/", {"csrfmiddlewaretoken": trainer.csrf(),
                                                                  "username": "demo@restride.example", "password": PASSWORD})
        rows.append(("sign in (302 = signed in)", status, seconds))
    for what, path in [("home", "/"), ("client page", f"/clients/{client_pk}/"), ("her page (private link)", f"/p/{token}/")]:
        for _ in range(requests):
            status, seconds, _ = trainer.request(path)
            rows.append((what, status, seconds))
    stranger = Session()
    for _ in range(25):  # the throttle answers 429 after 20
        status, seconds, text = stranger.request("/p/not-a-real-token-at-all/")
        rows.append(("bad token (404, then 429)", status, seconds))
    page = trainer.request(f"/assessments/{assessment_pk}/")[2]
    version = re.search(r'name="version" id="id_version" value="(\d+)"', page)
    for index in range(requests):
        status, seconds, text = trainer.request(f"/assessments/{assessment_pk}/", {
            "csrfmiddlewaretoken": trainer.csrf(), "assessed_on": assessed_on, "notes": f"Outage bench {index}",
            "version": version.group(1) if version else "0"}, headers={"HX-Request": "true"})
        if match := re.search(r'name="version" id="id_version" value="(\d+)"', text):
            version = match
        rows.append(("studio save (htmx)", status, seconds))
    status, seconds, text = Session().request("/healthz")
    rows.append(("/healthz", status, seconds))
    rows.append((f"  {text.strip()[:70]}", status, seconds))
    return rows


def report(label, rows):
    print(f"\n{label}\n{'request':40} {'answers':>16} {'median':>8} {'max':>8}")
    grouped = {}
    for what, status, seconds in rows:
        grouped.setdefault(what, []).append((status, seconds))
    for what, results in grouped.items():
        counts = {}
        for status, _ in results:
            counts[status] = counts.get(status, 0) + 1
        answers = " ".join(f"{count}×{status}" for status, count in counts.items())
        times = [seconds for _, seconds in results]
        print(f"{what:40} {answers:>16} {statistics.median(times) * 1000:6.0f}ms {max(times) * 1000:6.0f}ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10, help="requests of each page (default 10)")
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent), help="the checkout to serve")
    args = parser.parse_args()
    root = Path(args.root)
    scratch = Path(tempfile.mkdtemp(prefix="restride-outage-"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "false", "SECRET_KEY": "bench-" + "x" * 40,
           "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false", "REQUIRE_2FA": "false", "RESTRIDE_ENV_FILE": "",
           "DATABASE_URL": f"sqlite:///{scratch}/bench.sqlite3", "REDIS_URL": "",
           "CACHE_KEY_PREFIX": f"outage-bench-{os.getpid()}"}  # its own keys in a shared Redis
    manage(env, root, "migrate", "--noinput")
    manage(env, root, "loaddemo")
    manage(env, root, "collectstatic", "--noinput")
    states = [("Redis answering", os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")),
              ("Redis down (nothing listens)", DEAD_REDIS), ("Redis hung (accepts, never answers)", hung_redis())]
    try:
        for label, url in states:
            server_env = {**env, "REDIS_URL": url}
            manage(env, root, "shell", "-c", RESET)  # each round starts unlocked and unthrottled
            server = subprocess.Popen([sys.executable, "-m", "gunicorn", "bench.wsgi", "--bind", f"127.0.0.1:{PORT}",
                                       "--workers", "2", "--timeout", "30", "--log-level", "critical"],
                                      cwd=root, env=server_env, stderr=subprocess.DEVNULL)
            try:
                for _ in range(100):
                    try:
                        urllib.request.urlopen(f"{BASE}/healthz", timeout=5)
                        break
                    except urllib.error.HTTPError:
                        break  # answering, if unhappy
                    except OSError:
                        time.sleep(0.2)
                report(f"{label}: {root.name}", run(env, root, args.requests))  # set-up without the outage
            finally:
                server.terminate()
                server.wait()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(root / "staticfiles", ignore_errors=True)


if __name__ == "__main__":
    main()

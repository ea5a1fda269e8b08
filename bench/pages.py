"""Requests per second of each signed-in page against a bare login-required view.

Serves the app with gunicorn (production settings, DEBUG off, 2 workers) on a scratch
database with the demo data, signs in as the demo trainer and drives each URL with wrk
for a few seconds from this machine. Run:  .venv/bin/python bench/pages.py [seconds]
Set DATABASE_URL to measure on PostgreSQL; the default is a scratch SQLite file.
"""

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
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
SECONDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def sign_in():
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{BASE}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "demo@restride.example",
                                   "password": "restride-demo-2026"}).encode()
    opener.open(urllib.request.Request(f"{BASE}/accounts/login/", data, headers={"Referer": f"{BASE}/accounts/login/"}))
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def requests_per_second(url, cookie):
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{SECONDS}s", "-H", f"Cookie: {cookie}", url],
                         capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise SystemExit(f"{url} answered {non_2xx.group(1)} errors:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main():
    if not shutil.which("wrk"):
        raise SystemExit("Install wrk first (apt-get install wrk).")
    scratch = Path(tempfile.mkdtemp(prefix="restride-bench-"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "false", "SECRET_KEY": "bench-" + "x" * 40,
           "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false", "AXES_FAILURE_LIMIT": "1000",
           "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")}
    manage(env, "migrate", "--noinput")
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
        cookie = sign_in()
        ids = subprocess.run([sys.executable, "manage.py", "shell", "-c", IDS], cwd=ROOT, env=env,
                             capture_output=True, text=True, check=True).stdout.split()
        client, assessment, plan, token = ids[-4:]
        pages = {
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
        results = {name: requests_per_second(BASE + path, cookie) for name, path in pages.items()}
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(ROOT / "staticfiles", ignore_errors=True)
    bare = results["bare login-required view"]
    print(f"\n{'page':42} {'req/s':>8} {'of bare':>8}")
    for name, rps in results.items():
        print(f"{name:42} {rps:8.0f} {rps / bare:8.0%}")
    slowest = min(results.values()) / bare
    print(f"\nSlowest page serves {slowest:.0%} of the bare view's requests per second (aim: at least 50%).")


IDS = """
from clients.models import Client, ShareLink
from programmes.models import Programme
programme = Programme.objects.select_related("client").first()
client = programme.client
_, token = ShareLink.issue(client, client.trainer)
print(client.pk, client.assessments.first().pk, programme.plan_id, token)
"""

if __name__ == "__main__":
    main()

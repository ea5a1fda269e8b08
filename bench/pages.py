"""Each signed-in page as it costs when it is drawn, against a bare login-required view.

In one process, on whatever database DATABASE_URL names, with production settings (DEBUG
off, cached templates): each page is requested through Django's whole request handling
(every middleware, the session, the trainer) and timed on the wall clock (so the time this
process waits for PostgreSQL counts) and in this process's CPU time (which other work on a
shared machine moves far less). The bare view (bench/urls.py: login required, no page) is
requested before each page request, so whatever else the machine is doing weighs on both
alike. "× bare" is the median CPU time against the bare view's, and the fastest wall time
against the bare view's fastest. Every cache is emptied before each
page request (outside the timing): a page is drawn, as it is after any write of hers. Where
a page cache exists (a checkout from before issue 20: config/fragments.py cached_page) the page is
also requested a second time, from it, as a second column.

Then the writes, one user in this process: an autosave in the studio, a session logged by
her trainer and one logged by her (her post alone, and with the page she lands on), each with its statements
counted (all, writes, UPDATEs of her client row). bench/studio_day.py measures them under
concurrency, against gunicorn.

    DATABASE_URL=postgres://…/scratch .venv/bin/python bench/pages.py --scale   # load, then measure
    DATABASE_URL=postgres://…/scratch .venv/bin/python bench/pages.py           # measure what is there

--scale flushes that database, loads the demo and then `manage.py loadscale` (50 trainers ×
200 clients × 12 assessments, a trainer of 1,000 clients, a client with 300 assessments beside
one with 12; it ends with ANALYZE). Without --scale the pages of whichever of those trainers
exist are measured; the demo alone (`manage.py loaddemo`) makes a small installation to set
home beside (the issue's "whatever the size of the installation").
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("REQUIRE_2FA", "false")
os.environ.setdefault("RESTRIDE_ENV_FILE", "")

FORM = "application/x-www-form-urlencoded"  # as a browser and htmx post a form
BOOKS = {
    "demo@restride.example": "demo trainer (8 clients)",
    "scale-01@restride.example": "a trainer of 200 clients × 12 assessments",
    "bigbook@restride.example": "the trainer of 1,000 clients",
    "history@restride.example": "her history: 12 assessments against 300",
}


def median(values):
    return statistics.median(values)


def clear_caches():
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


def has_page_cache():
    """A checkout from before issue 20 kept whole pages in config/fragments.py's cached_page; this
    one keeps none. Imported by name, so the layering test does not look for a module long gone."""
    import importlib

    try:
        fragments = importlib.import_module("config.fragments")
    except ImportError:
        return False
    return hasattr(fragments, "cached_page")


def busiest(trainer):
    """Her client with the most assessments among those with a current programme (as the
    old bench chose), with that client's latest assessment, plan and a fresh private link."""
    from django.db.models import Count

    from programmes.models import Programme

    programme = (Programme.objects.filter(client__trainer=trainer, ended_at__isnull=True).select_related("client")
                 .annotate(n=Count("client__assessments")).order_by("-n", "pk").first())
    return programme


def client_pages(trainer, client, prefix=""):
    from clients.models import ShareLink

    programme = client.programmes.filter(ended_at__isnull=True).first()
    latest = client.assessments.order_by("-assessed_on", "-pk").first()
    _, token = ShareLink.issue(client, trainer)
    pages = {
        f"{prefix}client page": f"/clients/{client.pk}/",
        f"{prefix}studio entry screen": f"/assessments/{latest.pk}/",
        f"{prefix}verdict (after Finish)": f"/assessments/{latest.pk}/summary/",
        f"{prefix}compare assessments": f"/clients/{client.pk}/assessments/compare/",
        f"{prefix}her progress page (private link)": f"/p/{token}/",
    }
    if not prefix:
        pages.update({
            "referral summary": f"/assessments/{latest.pk}/referral/",
            "her activity": f"/clients/{client.pk}/activity/",
            "her log page (private link)": f"/p/{token}/log/",
        })
        if programme:
            pages["programme history"] = f"/programmes/{programme.pk}/history/"
            pages["plan detail (her copy)"] = f"/plans/{programme.plan_id}/"
    return pages


def pages_of(trainer):
    """{name: path} of the pages to draw for this trainer."""
    from clients.models import Client

    pages = {"bare login-required view": "/bench/bare/", "trainer home": "/"}
    if trainer.email == "history@restride.example":
        pages = {"bare login-required view": "/bench/bare/"}
        for client in Client.objects.filter(trainer=trainer).order_by("pk"):
            count = client.assessments.count()
            pages.update(client_pages(trainer, client, prefix=f"{count} assessments: "))
        return pages
    pages["client list"] = "/clients/"
    pages["needs attention: see all"] = "/clients/attention/"
    if trainer.email == "bigbook@restride.example":
        return pages
    pages["access log"] = "/activity/"
    pages["programme templates"] = "/plans/"
    programme = busiest(trainer)
    pages.update(client_pages(trainer, programme.client))
    return pages


class Sampler:
    """Times requests through Django's handler, each page interleaved with the bare view."""

    def __init__(self, http):
        self.http = http

    def get(self, path):
        """((wall seconds, CPU seconds of this process), response)."""
        started, cpu = time.perf_counter(), time.process_time()
        response = self.http.get(path)
        elapsed = (time.perf_counter() - started, time.process_time() - cpu)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        return elapsed, response


def walls(samples):
    return [wall for wall, _ in samples]


def cpus(samples):
    return [cpu for _, cpu in samples]


def measure_book(email, label, rounds, requests, only=""):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Trainer

    trainer = Trainer.objects.filter(email=email).first()
    if trainer is None:
        return None
    http = Client()
    http.force_login(trainer)
    sampler = Sampler(http)
    pages = {name: path for name, path in pages_of(trainer).items() if name.startswith("bare") or only in name}
    cached_column = has_page_cache()
    samples = {name: {"bare": [], "drawn": [], "cached": []} for name in pages}
    sizes, queries = {}, {}
    for path in pages.values():  # warm: templates, connections
        sampler.get(path)
    for _ in range(rounds):
        for name, path in pages.items():
            for _ in range(requests):
                samples[name]["bare"].append(sampler.get("/bench/bare/")[0])
                clear_caches()
                elapsed, response = sampler.get(path)
                samples[name]["drawn"].append(elapsed)
                if cached_column:
                    samples[name]["cached"].append(sampler.get(path)[0])
    for name, path in pages.items():
        clear_caches()
        with CaptureQueriesContext(connection) as captured:
            _, response = sampler.get(path)
        queries[name], sizes[name] = len(captured), len(response.content)
    rows = []
    bare = [sample for name in pages for sample in samples[name]["bare"]]  # every bare request of the run
    bare_cpu, bare_wall = median(cpus(bare)), min(walls(bare))
    print(f"\n{label} ({email}), {rounds} rounds × {requests} requests, each after a bare one. × bare: this "
          f"process's CPU time against the bare view's (median of {len(bare)}: {bare_cpu * 1000:.2f} ms), and the "
          f"fastest wall time against the bare view's fastest ({bare_wall * 1000:.2f} ms)")
    head = (f"{'page':44} {'wall ms (min/median)':>21} {'CPU ms':>7} {'× bare (CPU/wall)':>18} {'queries':>8} "
            f"{'kB':>6}")
    print(head + (f" {'cached CPU ms':>14} {'× bare':>7}" if cached_column else ""))
    for name in pages:
        drawn = samples[name]["drawn"]
        ratio, least = median(cpus(drawn)) / bare_cpu, min(walls(drawn)) / bare_wall
        line = (f"{name:44} {min(walls(drawn)) * 1000:9.1f} / {median(walls(drawn)) * 1000:8.1f} "
                f"{median(cpus(drawn)) * 1000:7.1f} {ratio:9.1f} / {least:6.1f} {queries[name]:8d} {sizes[name] / 1024:6.1f}")
        if cached_column:
            cached = samples[name]["cached"]
            line += f" {median(cpus(cached)) * 1000:14.1f} {median(cpus(cached)) / bare_cpu:7.1f}"
        print(line)
        rows.append((name, median(cpus(drawn)), ratio, queries[name], least))
    return rows


WRITE_KINDS = ("INSERT", "UPDATE", "DELETE")


def statements(captured):
    sql = [query["sql"] for query in captured]
    writes = [s for s in sql if s.lstrip().upper().startswith(WRITE_KINDS)]
    client_updates = [s for s in writes if re.match(r'\s*UPDATE\s+"clients_client"', s, re.I)]
    return len(sql), len(writes), len(client_updates)


def measure_writes(rounds, requests):
    """An autosave, a trainer's session log and her own (with the page she lands on), one user."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts import limits
    from accounts.models import Trainer
    from clients.models import ShareLink
    from guideline import protocol
    from programmes.models import Programme

    trainer = Trainer.objects.filter(email="scale-01@restride.example").first() or Trainer.objects.get(
        email="demo@restride.example")
    http = Client()
    http.force_login(trainer)
    her_http = Client()
    sampler = Sampler(http)
    programmes = list(Programme.objects.filter(client__trainer=trainer, ended_at__isnull=True, stored_status="active")
                      .select_related("client").order_by("pk"))
    if len(programmes) < 3:
        print("\nWrites: no trainer with three active programmes here")
        return
    # Her trainer logs for one client, another logs her own, the studio edits a third's assessment.
    mine, theirs, edited = programmes[:3]
    theirs.client.self_logging = True
    theirs.client.save()
    link, token = ShareLink.issue(theirs.client, trainer)
    latest = edited.client.assessments.order_by("-assessed_on", "-pk").first()
    numbers = [f for f in protocol.FIELDS if not f.is_flag and f.item.target is not None]
    today = timezone.localdate()
    state = {"turn": 0}

    def form_data(assessment):
        data = {"assessed_on": assessment.assessed_on.isoformat(), "notes": assessment.notes, "version": assessment.version}
        for field in protocol.FIELDS:
            value = getattr(assessment, field.name)
            data[field.name] = "" if value is None else ("true" if value is True else "false" if value is False else value)
        return data

    def autosave():
        assessment = type(latest).objects.get(pk=latest.pk)
        data = form_data(assessment)
        # Not tested, then tested to target: each autosave changes what the verdict rests on, as
        # entering an assessment does, so her programme's state is worked out again each time
        # (and after each pair she is "ready" again, so her programme can log).
        field = numbers[state["turn"] // 2 % len(numbers)]
        data[field.name] = "" if state["turn"] % 2 == 0 else field.item.target
        state["turn"] += 1
        started, cpu = time.perf_counter(), time.process_time()
        response = http.post(f"/assessments/{latest.pk}/", urlencode(data), content_type=FORM,
                             headers={"HX-Request": "true"})
        elapsed = (time.perf_counter() - started, time.process_time() - cpu)
        assert response.status_code == 200 and b"All changes saved" in response.content, response.content[:300]
        return elapsed

    def next_log(programme):
        programme = Programme.objects.with_progress().get(pk=programme.pk)
        if not programme.can_log:
            raise SystemExit(f"programme {programme.pk} can no longer log: rebuild the volume")
        done_on = max(today, *(log.done_on for log in programme.logs.all())) if programme.logs.all() else today
        return programme, {"done_on": min(done_on, today).isoformat(), "outcome": "completed", "effort": 4,
                           "sequence": programme.next_sequence, "week": programme.state.week,
                           "session": programme.state.session, "notes": "", "any_symptoms": "no"}

    def trainer_log():
        programme, data = next_log(mine)
        started, cpu = time.perf_counter(), time.process_time()
        response = http.post(f"/programmes/{programme.pk}/log/", urlencode(data), content_type=FORM,
                             headers={"HX-Request": "true"})
        elapsed = (time.perf_counter() - started, time.process_time() - cpu)
        assert response.status_code == 200 and b"Session logged" in response.content, response.content[:300]
        return elapsed

    def her_log(land=True):
        """Her post (a redirect to her page, which says how the session went), and with `land`
        the page she lands on, timed together: what her phone waits for."""
        programme, data = next_log(theirs)
        started, cpu = time.perf_counter(), time.process_time()
        response = her_http.post(f"/p/{token}/log/", urlencode(data), content_type=FORM)
        assert response.status_code == 302, response.status_code
        if land:
            assert her_http.get(response["Location"]).status_code == 200
        return time.perf_counter() - started, time.process_time() - cpu

    writes = {"autosave (one field, htmx)": autosave, "session logged by her trainer (htmx)": trainer_log,
              "session logged by her (her post alone)": lambda: her_log(land=False),
              "session logged by her, and the page she lands on": her_log}
    # At most one session a day counts and a second the same day is refused (DOMAIN.md "Pacing"):
    # each logged session is deleted again, outside the timing and the statement count.
    undo = {"session logged by her trainer (htmx)": mine, "session logged by her (her post alone)": theirs,
            "session logged by her, and the page she lands on": theirs}

    def undo_last(name):
        if name in undo:
            programme = Programme.objects.get(pk=undo[name].pk)
            programme.delete_log(programme.logs.order_by("-sequence").first(), by=trainer,
                                 reason="bench/pages.py: undone, so the next is not a second session the same day")
        if name.startswith("session logged by her"):  # and her link's hourly limit on posts (12) starts afresh
            limits.forget([link.write_counter])

    for programme in undo.values():  # what an interrupted run left today
        for log in Programme.objects.get(pk=programme.pk).logs.filter(done_on=today):
            Programme.objects.get(pk=programme.pk).delete_log(log, by=trainer, reason="bench/pages.py: left by a run cut short")

    samples = {name: {"bare": [], "write": []} for name in writes}
    counts = {}
    for name, write in writes.items():
        with CaptureQueriesContext(connection) as captured:
            write()
        counts[name] = statements(captured)
        undo_last(name)
    for _ in range(rounds):
        for name, write in writes.items():
            for _ in range(requests):
                samples[name]["bare"].append(sampler.get("/bench/bare/")[0])
                clear_caches()
                samples[name]["write"].append(write())
                undo_last(name)
    print(f"\nWrites, one user, in process ({trainer.email}): {rounds} rounds, each after a bare request")
    print(f"{'write':52} {'wall ms (min/median)':>21} {'CPU ms':>7} {'× bare (CPU/wall)':>18} {'statements':>11} "
          f"{'writes':>7} {'client UPDATEs':>15}")
    bare = [sample for name in writes for sample in samples[name]["bare"]]
    bare_cpu, bare_wall = median(cpus(bare)), min(walls(bare))
    for name in writes:
        write = samples[name]["write"]
        total, written, client_updates = counts[name]
        print(f"{name:52} {min(walls(write)) * 1000:9.1f} / {median(walls(write)) * 1000:8.1f} "
              f"{median(cpus(write)) * 1000:7.1f} {median(cpus(write)) / bare_cpu:9.1f} / "
              f"{min(walls(write)) / bare_wall:6.1f} {total:11d} {written:7d} {client_updates:15d}")


def load():
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    from importlib import import_module

    from django.apps import apps

    # flush removed the built-in walk–run templates and exercise library the migrations installed
    for migration in ("0002_builtin_templates", "0009_builtin_exercises"):
        import_module(f"programmes.migrations.{migration}").install(apps, None)
    call_command("loaddemo", verbosity=0)
    started = time.monotonic()
    call_command("loadscale", verbosity=0)
    print(f"loadscale took {time.monotonic() - started:.0f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", action="store_true", help="flush the database and load the demo and scale volume first")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=5, help="requests of each page per round (default 5)")
    parser.add_argument("--only", default="", help="measure only pages whose name contains this")
    parser.add_argument("--no-writes", action="store_true", help="pages only")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings

    # No collectstatic here: plain static URLs instead of the production manifest (a dict lookup).
    plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    override_settings(STORAGES=plain).enable()
    if args.scale:
        load()
    load_average = os.getloadavg()
    print(f"{connection.vendor} {connection.settings_dict['NAME']}; load average before: "
          f"{load_average[0]:.2f} {load_average[1]:.2f} {load_average[2]:.2f}; page cache: "
          f"{'present (second column)' if has_page_cache() else 'none'}")
    all_rows = []
    for email, label in BOOKS.items():
        rows = measure_book(email, label, args.rounds, args.requests, args.only)
        if rows:
            all_rows += [(f"{email}: {name}", *rest) for name, *rest in rows if not name.startswith("bare")]
    if all_rows:
        for label, index in (("CPU time", 2), ("fastest wall time", 4)):
            worst = max(all_rows, key=lambda row: row[index])
            print(f"\nEvery page drawn, by {label}: the slowest {worst[index]:.1f}× the bare view ({worst[0]}), the "
                  f"median page {statistics.median(row[index] for row in all_rows):.1f}× (aims: at most 10× and 5×)")
    if not args.no_writes:
        measure_writes(args.rounds, args.requests)
    load_average = os.getloadavg()
    print(f"\nload average after: {load_average[0]:.2f} {load_average[1]:.2f} {load_average[2]:.2f}")


if __name__ == "__main__":
    main()

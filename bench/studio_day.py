"""A studio day: N trainers working at once against gunicorn as deployed, with the report worker.

Serves the app as the Dockerfile and docker-compose.yml do (gunicorn, 3 sync workers, the
access log written; `manage.py worker` beside it, as the compose file starts it, or --workers of
them, as `docker compose up --scale worker=N` does, and its finisher, or --finishers of them;
each service in a CPU group of its own weighted by its `cpu_shares`, as Docker runs each
container (as root, on cgroup v1's cpu hierarchy; unless --side-by-side)) with
production settings on the database DATABASE_URL names (one that `bench/pages.py --scale`
loaded: the scale-NN trainers and their clients) and the cache REDIS_URL names, on loopback
only, and drives it from this process:

    .venv/bin/python bench/studio_day.py 10 20 50 [--seconds 60] [--workers 2] [--finishers 0] [--drawn] [--seed 1] [--together]
        [--side-by-side]

Each of N trainers (scale-01 … scale-N) works through her clients who are running, one after
another: she opens the client's page, opens her latest assessment in the studio and changes 20
fields a second apart (each an autosave, as the studio posts them), finishes it and reads the
verdict, logs a session of the client's programme, and opens home; a second passes between
any two steps. Each starts at a moment of her own within her first round (about 25 s), as
trainers who do not work in step; --together starts them all within 5 s, so their Finishes come
in bursts. Requests are counted from the 10th second to the end of the run, each step's
latency and all of them together (p50, p95, p99), with the errors. Beside them: when her
latest report was drawn after she finished (the worker's drawing, read from the store), and
the queue of drawing left at the end. A run stops after --seconds whatever happens; a request
gives up after 30 s (gunicorn's own timeout). --drawn first draws (in this process, before the
run) every report of the clients each trainer will reach, as a worker that keeps up leaves them;
without it the worker also draws each client's older reports for the first time as it goes.
--seed starts each trainer at the same client in each run (with --drawn on a copy of a database
a run with the same seed drew in, nothing is left to draw beforehand: compare code on copies;
--draw-only draws them and stops, to make that database).

    .venv/bin/python bench/studio_day.py --writes [--seconds 5]

The write latencies at 1, 4 and 16 users, each user working without a pause: a bare
login-required view (bench/urls.py), an autosave, a session logged by her trainer and one
logged by her (through her private link, with the page she lands on), each kind in turn for
--seconds, three rounds; p50 and p95, and each write's p50 against the bare view's at the
same number of users.

The load average is printed before and after: the machine is shared, and this process's own
threads take some of it too (sleeping, mostly).
"""

import argparse
import html.parser
import http.client
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PORT = int(os.environ.get("BENCH_PORT", "8766"))
PASSWORD = "restride-demo-2026"  # the demo's; loadscale gives its trainers the same one
WARM_UP = 10  # seconds of each run not counted: every trainer signs in and finds her feet
SERVED = []  # gunicorn's and the report workers' process ids
TIMEOUT = 30  # gunicorn's worker timeout: a request that takes longer has failed anyway
ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "false", "SECRET_KEY": "bench-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,testserver", "SECURE_SSL_REDIRECT": "false", "AXES_FAILURE_LIMIT": "1000",
    "REQUIRE_2FA": "false", "RESTRIDE_ENV_FILE": "",
}
for name, value in ENV.items():
    os.environ.setdefault(name, value)


class Browser:
    """One person's browser: her cookies, one connection per request (gunicorn's sync workers
    close each), and the CSRF token from the cookie for her posts."""

    def __init__(self):
        self.cookies = {}
        self.form_token = None  # a form's CSRF token, where a page sets its own cookie

    def request(self, method, path, data=None, headers=None):
        """(status, headers, body, seconds)."""
        sent = {"Host": f"127.0.0.1:{PORT}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            if "csrfmiddlewaretoken" not in data and "csrftoken" in self.cookies:
                sent["X-CSRFToken"] = self.cookies["csrftoken"]
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=TIMEOUT)
        started = time.perf_counter()
        try:
            connection.request(method, path, body, sent)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            pair, *attributes = header.split(";")
            name, _, value = pair.strip().partition("=")
            if any(a.strip().lower() in ("max-age=0", 'expires=thu, 01 jan 1970 00:00:00 gmt') for a in attributes):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response.status, response.headers, content.decode(), elapsed

    def sign_in(self, email):
        _, _, page, _ = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, headers, _, _ = self.request("POST", "/accounts/login/",
                                             {"csrfmiddlewaretoken": token, "username": email, "password": PASSWORD})
        if status != 302:
            raise SystemExit(f"{email} could not sign in ({status})")


class FormFields(html.parser.HTMLParser):
    """The values a browser would post for the form with this id: inputs, checked radios,
    selected options, textareas."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.values = form_id, False, {}
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("radio", "checkbox"):
                if "checked" in attrs:
                    self.values[name] = attrs.get("value", "on")
                else:
                    self.values.setdefault(name, "")
            else:
                self.values[name] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.values[name] = ""

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.inside = False


def form_values(page, form_id):
    parser = FormFields(form_id)
    parser.feed(page)
    return parser.values


def hidden(page, name):
    found = re.search(rf'name="{name}" value="(\d+)"', page) or re.search(rf'value="(\d+)"[^>]*name="{name}"', page)
    return found.group(1) if found else None


class Recorder:
    def __init__(self, counted_from, counted_until):
        self.counted_from, self.counted_until = counted_from, counted_until
        self.latencies, self.errors = {}, {}
        self.lock = threading.Lock()

    def add(self, kind, started, seconds, ok=True):
        if not (self.counted_from <= started <= self.counted_until):
            return
        with self.lock:
            if ok:
                self.latencies.setdefault(kind, []).append(seconds)
            else:
                self.errors[kind] = self.errors.get(kind, 0) + 1


def timed(recorder, kind, browser, method, path, data=None, headers=None, expect=(200,)):
    started = time.monotonic()
    try:
        status, response_headers, page, seconds = browser.request(method, path, data, headers)
    except OSError:
        recorder.add(kind, started, 0, ok=False)
        return None, None
    recorder.add(kind, started, seconds, ok=status in expect)
    return (status, response_headers), page if status in expect else None


TICKS = os.sysconf("SC_CLK_TCK")


def processes():
    """{pid: (name, parent pid, CPU seconds)} of every process on the machine."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2:].split()
            found[int(entry.name)] = (name, int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS)
    return found


def machine_busy():
    """(busy, all) CPU seconds of the whole machine so far."""
    numbers = [int(n) for n in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = numbers[3] + numbers[4]
    return (sum(numbers) - idle) / TICKS, sum(numbers) / TICKS


class CpuShare:
    """Where the CPU went during a run: the machine, gunicorn (master and workers), the report
    worker, PostgreSQL (every backend, other databases' included) and this process."""

    def __init__(self, served):
        self.served = served
        self.start = self.sample()

    def sample(self):
        table = processes()
        web, *workers = self.served

        def family(pid):
            return {pid} | {child for child, (_, parent, _) in table.items() if parent == pid}

        groups = {"gunicorn": family(web), "report worker": set().union(*map(family, workers))}
        totals = {name: sum(table[pid][2] for pid in pids if pid in table) for name, pids in groups.items()}
        totals["postgres (all)"] = sum(cpu for name, _, cpu in table.values() if name.startswith("postgres"))
        totals["this bench"] = table.get(os.getpid(), ("", 0, 0.0))[2]
        return totals, machine_busy()

    def report(self):
        (before, (busy0, all0)), (after, (busy1, all1)) = self.start, self.sample()
        seconds = (all1 - all0) / os.cpu_count()
        shares = ", ".join(f"{name} {(after[name] - before[name]) / seconds:.2f}" for name in before)
        return (f"CPU, in cores of {os.cpu_count()}: machine busy {(busy1 - busy0) / seconds:.2f}; {shares}; "
                f"the rest is other work on the machine")


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# The studio day ----------------------------------------------------------------------------------


def number_fields():
    """The measurements an autosave moves between not tested and tested to target: each save
    changes what the verdict rests on, as entering an assessment does."""
    from guideline import protocol

    return [(f.name, f.item.target) for f in protocol.FIELDS if not f.is_flag and f.item.target is not None]


def runners(trainer):
    """Her clients with a programme that can log, whose latest assessment is "ready"."""
    from programmes.models import Programme

    rows = (Programme.objects.filter(client__trainer=trainer, ended_at__isnull=True, stored_status="active",
                                     client__latest_assessment__verdict="ready")
            .values_list("client_id", "client__latest_assessment_id", "pk").order_by("pk"))
    return list(rows)


class Finishes:
    """When each Finish happened, to read when her latest report was current after it: when the
    drawing task Finish queued for her ended (it draws her latest report, or finds it current when
    nothing it shows changed). Not the stored drawing's time: a later change of hers (the session
    logged after it) draws it again."""

    def __init__(self):
        self.pending, self.lock = [], threading.Lock()

    def add(self, client_pk, at):
        with self.lock:
            self.pending.append((client_pk, at))

    def ready_after(self):
        """([seconds from each Finish until her report was current], how many were not by the end,
        how many of those tasks drew it)."""
        from django_tasks_db.models import DBTaskResult

        from reports.drawing import FINISHED_PRIORITY

        first = min((at for _, at in self.pending), default=None)
        if first is None:
            return [], 0, 0
        tasks = {}
        for args_kwargs, queued, ended, drawn in (
                DBTaskResult.objects.filter(priority__gte=FINISHED_PRIORITY, enqueued_at__gte=first, finished_at__isnull=False)
                .order_by("enqueued_at").values_list("args_kwargs", "enqueued_at", "finished_at", "return_value")):
            tasks.setdefault(args_kwargs["args"][0], []).append((queued, ended, drawn))
        delays, missing, drew = [], 0, 0
        for client_pk, at in self.pending:
            ended = next(((end, drawn) for queued, end, drawn in tasks.get(client_pk, []) if queued >= at), None)
            if ended is None:
                missing += 1
            else:
                delays.append((ended[0] - at).total_seconds())
                drew += bool(ended[1])
        return delays, missing, drew


CYCLE = 25  # seconds of a trainer's round: a client's page, 20 autosaves, Finish, a session, home


def trainer_day(email, clients, index, fields, recorder, finishes, deadline, signed_in, together=False):
    """Her day, from her client at `index` on. Each starts at a moment of her own within her first
    round, as trainers who do not work in step (together: all within 5 s, their Finishes in bursts)."""
    from django.utils import timezone

    browser = Browser()
    browser.sign_in(email)
    signed_in.wait()
    time.sleep(random.uniform(0, 5 if together else CYCLE))
    # Ten fields emptied and filled in again, but one pair out of step: each Finish saves a real
    # change (one field filled in, another emptied), so her report is drawn again, as after an assessment.
    turn = 2 * random.randrange(len(fields)) + 1

    def pause():
        time.sleep(1)
        return time.monotonic() < deadline

    while time.monotonic() < deadline:
        client_pk, assessment_pk, programme_pk = clients[index % len(clients)]
        index += 1
        _, page = timed(recorder, "client page", browser, "GET", f"/clients/{client_pk}/")
        if page is None or not pause():
            continue
        log = {name: hidden(page, name) for name in ("sequence", "week", "session")}
        _, page = timed(recorder, "studio", browser, "GET", f"/assessments/{assessment_pk}/")
        if page is None:
            continue
        values = form_values(page, "assessment-form")
        for _ in range(20):
            if not pause():
                return
            name, target = fields[turn // 2 % len(fields)]  # not tested, then to target: ten such pairs
            values[name] = "" if turn % 2 == 0 else str(target)
            turn += 1
            _, saved = timed(recorder, "autosave", browser, "POST", f"/assessments/{assessment_pk}/", values,
                             {"HX-Request": "true", "HX-Current-URL": f"http://127.0.0.1:{PORT}/assessments/{assessment_pk}/"})
            if saved and (version := re.search(r'name="version" id="id_version" value="(\d+)"', saved)):
                values["version"] = version.group(1)
        if not pause():
            return
        finished_at = timezone.now()
        response, _ = timed(recorder, "finish", browser, "POST", f"/assessments/{assessment_pk}/", values, expect=(302,))
        if response is None:
            continue
        finishes.add(client_pk, finished_at)
        timed(recorder, "verdict", browser, "GET", response[1]["Location"])
        if not pause():
            return
        if log["sequence"]:
            data = {"done_on": timezone.localdate().isoformat(), "outcome": "completed", "effort": "4", "notes": "",
                    **log}
            timed(recorder, "session log", browser, "POST", f"/programmes/{programme_pk}/log/", data,
                  {"HX-Request": "true"})
        if not pause():
            return
        timed(recorder, "home", browser, "GET", "/")
        pause()


def finish_drawings(since):
    """Finish's drawing tasks queued since `since` and run: seconds each waited in the queue, and
    seconds each ran (what the delay of her report is made of)."""
    from django_tasks_db.models import DBTaskResult

    from reports.drawing import FINISHED_PRIORITY

    rows = DBTaskResult.objects.filter(priority__gte=FINISHED_PRIORITY, enqueued_at__gte=since,
                                       finished_at__isnull=False).values_list("enqueued_at", "started_at", "finished_at")
    return ([(started - queued).total_seconds() for queued, started, _ in rows],
            [(finished - started).total_seconds() for _, started, finished in rows])


def queued_tasks():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status="READY").count()


def draw_beforehand(books, seconds):
    """Every report of the clients each trainer will reach in the run (a cycle takes about 25 s),
    drawn in this process before it starts, unless drawn already: the worker then finds them as it
    keeps them day to day, and the run measures that, not a first drawing of every report of hers
    (a volume loaded by loadscale has none drawn)."""
    from reports.drawing import draw_client_reports

    started, drawn = time.monotonic(), 0
    reached = seconds // 25 + 1
    for _, clients, index in books:
        for offset in range(min(reached, len(clients))):
            drawn += draw_client_reports(clients[(index + offset) % len(clients)][0])
    print(f"Drew {drawn} reports beforehand ({reached} clients a trainer) in {time.monotonic() - started:.0f} s")


def books_of(trainers):
    """[(email, her runners, the one she starts at)] of scale-01 … scale-N."""
    from accounts.models import Trainer

    books = []
    for number in range(1, trainers + 1):
        trainer = Trainer.objects.filter(email=f"scale-{number:02d}@restride.example").first()
        if trainer is None:
            raise SystemExit(f"No scale-{number:02d}: load the scale volume first (bench/pages.py --scale).")
        clients = runners(trainer)
        books.append((trainer.email, clients, random.randrange(len(clients))))  # each starts at a client of her own
    return books


def studio_day(trainers, seconds, drawn=False, together=False):
    fields = number_fields()
    books = books_of(trainers)
    if drawn:
        draw_beforehand(books, seconds)
    start = time.monotonic() + 2 + trainers * 0.05  # signing in (argon2) before the day starts
    signed_in = threading.Event()
    recorder = Recorder(start + WARM_UP, start + seconds)
    finishes = Finishes()
    threads = [threading.Thread(target=trainer_day, daemon=True,
                                args=(email, clients, index, fields, recorder, finishes, start + seconds, signed_in, together))
               for email, clients, index in books]
    before = os.getloadavg()
    from django.utils import timezone

    began = timezone.now()
    for thread in threads:
        thread.start()
    time.sleep(max(0, start - time.monotonic()))
    signed_in.set()
    time.sleep(WARM_UP)
    cpu = CpuShare(SERVED)
    time.sleep(max(0, start + seconds - time.monotonic()))
    shares = cpu.report()
    for thread in threads:
        thread.join(timeout=max(0, start + seconds + TIMEOUT + 5 - time.monotonic()))
    after = os.getloadavg()
    everything = [s for values in recorder.latencies.values() for s in values]
    print(f"\n{trainers} trainers for {seconds} s (counted from {WARM_UP} s); load average {before[0]:.2f} before, "
          f"{after[0]:.2f} after")
    print(f"{'step':14} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in ("client page", "studio", "autosave", "finish", "verdict", "session log", "home"):
        values = recorder.latencies.get(kind, [])
        if values:
            print(f"{kind:14} {len(values):9d} {recorder.errors.get(kind, 0):7d} {percentile(values, .5) * 1000:8.0f} "
                  f"{percentile(values, .95) * 1000:8.0f} {percentile(values, .99) * 1000:8.0f}")
    if everything:
        p95 = percentile(everything, .95)
        print(f"{'all':14} {len(everything):9d} {sum(recorder.errors.values()):7d} {percentile(everything, .5) * 1000:8.0f} "
              f"{p95 * 1000:8.0f} {percentile(everything, .99) * 1000:8.0f}   "
              f"{len(everything) / (seconds - WARM_UP):.0f} req/s, p95 {'within' if p95 <= 0.25 else 'over'} 250 ms")
    print(shares)
    delays, missing, drew = finishes.ready_after()
    if delays or missing:
        within = sum(delay <= 1 for delay in delays)
        shown = (f"median {statistics.median(delays):.2f} s, p95 {percentile(delays, .95):.2f} s, "
                 if delays else "")
        print(f"Her latest report after Finish: {len(delays)} of {len(delays) + missing} current by the end, "
              f"{drew} of them drawn again ({shown}{within} within 1 s); {queued_tasks()} drawing tasks still queued")
    waits, runs = finish_drawings(began)
    if waits:
        print(f"Finish's drawing tasks: {len(waits)} run, waited in the queue median {statistics.median(waits):.2f} s "
              f"(p95 {percentile(waits, .95):.2f} s), ran median {statistics.median(runs):.2f} s "
              f"(p95 {percentile(runs, .95):.2f} s)")
    return recorder


# The writes ------------------------------------------------------------------------------------


class Writer:
    """One user's writes for the --writes mode: a trainer (autosaves, her session logs) and
    the private links of her clients (their own logs)."""

    def __init__(self, trainer, fields):
        from clients.models import Client, ShareLink

        self.browser = Browser()
        self.browser.sign_in(trainer.email)
        self.fields, self.turn = fields, 0
        clients = runners(trainer)
        self.assessment_pk = clients[0][1]
        _, _, page, _ = self.browser.request("GET", f"/assessments/{self.assessment_pk}/")
        self.values = form_values(page, "assessment-form")
        half = max(1, (len(clients) - 1) // 2)
        self.logs = self.positions([pk for _, _, pk in clients[1:1 + half]])
        theirs = clients[1 + half:]
        Client.objects.filter(pk__in=[c for c, _, _ in theirs]).update(self_logging=True)
        self.links = {}  # programme: (her link's token, her phone)
        for client_pk, _, programme_pk in theirs:
            _, token = ShareLink.issue(Client.objects.get(pk=client_pk), trainer)
            self.links[programme_pk] = (token, Browser())
        self.her_logs = self.positions(list(self.links))

    @staticmethod
    def positions(programme_pks):
        from programmes.models import Programme

        found = []
        for programme in Programme.objects.filter(pk__in=programme_pks).with_progress(blocks=False):
            if programme.can_log:
                found.append({"pk": programme.pk, "sequence": programme.next_sequence, "week": programme.state.week,
                              "session": programme.state.session})
        return found

    def bare(self, recorder):
        timed(recorder, "bare", self.browser, "GET", "/bench/bare/")

    def autosave(self, recorder):
        name, target = self.fields[self.turn // 2 % len(self.fields)]  # not tested, then to target
        self.values[name] = "" if self.turn % 2 == 0 else str(target)
        self.turn += 1
        _, saved = timed(recorder, "autosave", self.browser, "POST", f"/assessments/{self.assessment_pk}/", self.values,
                         {"HX-Request": "true"})
        if saved and (version := re.search(r'name="version" id="id_version" value="(\d+)"', saved)):
            self.values["version"] = version.group(1)

    def log_data(self, position):
        from django.utils import timezone

        # "Any symptoms?" is her form's first question (the trainer's form has none and ignores it).
        return {"done_on": timezone.localdate().isoformat(), "outcome": "completed", "effort": "4", "notes": "",
                "any_symptoms": "no", "sequence": position["sequence"], "week": position["week"],
                "session": position["session"]}

    def trainer_log(self, recorder):
        if not self.logs:
            return time.sleep(0.1)
        position = self.logs.pop(0)
        _, card = timed(recorder, "trainer's session log", self.browser, "POST", f"/programmes/{position['pk']}/log/",
                        self.log_data(position), {"HX-Request": "true"})
        self.requeue(self.logs, position, card)

    def her_log(self, recorder):
        if not self.her_logs:
            return time.sleep(0.1)
        position = self.her_logs.pop(0)
        token, browser = self.links[position["pk"]]
        if browser.form_token is None:  # her form once, for its token (it stays valid)
            _, _, form, _ = browser.request("GET", f"/p/{token}/log/")
            browser.form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        started = time.monotonic()
        status, headers, _, seconds = browser.request(
            "POST", f"/p/{token}/log/", {**self.log_data(position), "csrfmiddlewaretoken": browser.form_token})
        if status != 302:
            recorder.add("her session log + her page", started, seconds, ok=False)
            return
        landed, _, page, more = browser.request("GET", headers["Location"])
        recorder.add("her session log + her page", started, seconds + more, ok=landed == 200)
        self.requeue(self.her_logs, position, page)

    @staticmethod
    def requeue(queue, position, page):
        """The programme's next position, from the card or form the response showed."""
        if page and (sequence := hidden(page, "sequence")):
            queue.append({"pk": position["pk"], "sequence": int(sequence), "week": hidden(page, "week"),
                          "session": hidden(page, "session")})


def writes(seconds):
    from accounts.models import Trainer

    fields = number_fields()
    print("Signing in 16 trainers and making their clients' private links…")
    writers = [Writer(Trainer.objects.get(email=f"scale-{n:02d}@restride.example"), fields) for n in range(1, 17)]
    kinds = {"bare": Writer.bare, "autosave": Writer.autosave, "trainer's session log": Writer.trainer_log,
             "her session log + her page": Writer.her_log}
    results = {}
    before = os.getloadavg()
    for _ in range(3):
        for users in (1, 4, 16):
            for kind, write in kinds.items():
                start = time.monotonic()
                recorder = Recorder(start, start + seconds)

                def work(writer, recorder=recorder, write=write, until=start + seconds):
                    while time.monotonic() < until:
                        write(writer, recorder)

                threads = [threading.Thread(target=work, args=(writer,)) for writer in writers[:users]]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(timeout=seconds + TIMEOUT + 5)
                bucket = results.setdefault((users, kind), {"latencies": [], "errors": 0})
                bucket["latencies"] += recorder.latencies.get(kind, [])
                bucket["errors"] += recorder.errors.get(kind, 0)
    after = os.getloadavg()
    print(f"\nWrites, each user without a pause, 3 rounds × {seconds} s each; load average {before[0]:.2f} before, "
          f"{after[0]:.2f} after")
    print(f"{'users':>5} {'request':28} {'count':>6} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p50 × bare':>11}")
    for users in (1, 4, 16):
        bare = statistics.median(results[(users, "bare")]["latencies"])
        for kind in kinds:
            bucket = results[(users, kind)]
            values = bucket["latencies"]
            if not values:
                print(f"{users:5d} {kind:28} {0:6d} {bucket['errors']:6d}")
                continue
            print(f"{users:5d} {kind:28} {len(values):6d} {bucket['errors']:6d} {percentile(values, .5) * 1000:7.1f} "
                  f"{percentile(values, .95) * 1000:7.1f} {statistics.median(values) / bare:11.1f}")


# Serving -------------------------------------------------------------------------------------------


def serve(workers=1, finishers=1, containers=True):
    """gunicorn as the Dockerfile starts it, `workers` report workers as docker-compose.yml
    starts one (`docker compose up --scale worker=N` starts N) and `finishers` of its finisher.
    With `containers`, each in a CPU group of its own weighted by its service's `cpu_shares`, as
    Docker runs each container (ContainerCpu); else all of them side by side, a service whose
    `cpu_shares` is under Docker's default niced to match (ContainerCpu.nice_for)."""
    try:
        Browser().request("GET", "/healthz")
    except OSError:
        pass
    else:  # never measure someone else's server
        raise SystemExit(f"Something already answers on 127.0.0.1:{PORT}: set BENCH_PORT to a free port.")
    env = {**os.environ}
    python = sys.executable
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    access_log = ROOT / "bench" / f"access-{PORT}.log"
    groups = ContainerCpu.here() if containers else None
    if groups:
        groups.join_self()
    started = []
    try:
        started.append(subprocess.Popen(ContainerCpu.command(groups, "web", 0, [
            python, "-m", "gunicorn", "bench.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", "3",
            "--access-logfile", str(access_log), "--access-logformat", "%(h)s %(t)s %(m)s %(s)s %(b)s %(M)sms"]),
            cwd=ROOT, env=env))
        for service, count in (("worker", workers), ("finisher", finishers)):
            for number in range(count):
                # Its log of every task would drown this one's figures.
                started.append(subprocess.Popen(ContainerCpu.command(groups, service, number, worker_command(python, service)),
                                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    except BaseException:
        stop(started, groups)
        raise
    for _ in range(100):
        try:
            Browser().request("GET", "/accounts/login/")
            break
        except OSError:
            time.sleep(0.2)
    return started, access_log, groups


def stop(served, groups):
    for process in served:
        process.terminate()
    for process in served:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    if groups:
        groups.remove()


class ContainerCpu:
    """A CPU group (cgroup v1's cpu hierarchy) per service, as Docker makes one per container: the
    kernel shares the CPU out between the groups by their weights first (`cpu_shares`, 1024 where
    the compose file sets none) and only then between the processes in a group, by their nice
    values. So a process's `nice` ranks it against its own container's processes alone, and the
    three gunicorn workers together weigh as much as the finisher. This process (the trainers'
    browsers) gets a group of its own too. PostgreSQL and Redis are the machine's, shared, and stay
    where they are: each busy backend weighs as much as a group (under compose the database is one
    container), which puts the pages at a disadvantage here, not an advantage. here() is None
    without root or that hierarchy (cgroup v2 alone: then --side-by-side is what is measured)."""

    DEFAULT_SHARES = 1024  # Docker's, and the kernel's, where nothing is set
    ROOT = Path("/sys/fs/cgroup/cpu")

    def __init__(self):
        self.made = []

    @classmethod
    def here(cls):
        if (cls.ROOT / "cpu.shares").exists() and os.access(cls.ROOT, os.W_OK):
            return cls()
        print("No cgroup v1 cpu hierarchy to write to (needs root): the services run side by side, "
              "not as the compose file's containers.")
        return None

    def group(self, name, shares):
        group = self.ROOT / f"restride-bench-{PORT}-{name}"
        group.mkdir(exist_ok=True)
        self.made.append(group)
        (group / "cpu.shares").write_text(str(shares))
        return group / "cgroup.procs"

    def join_self(self):
        """This process, the trainers' browsers, in a group of its own, as a client machine would be."""
        self.group("driver", self.DEFAULT_SHARES).write_text(str(os.getpid()))

    @staticmethod
    def nice_for(shares):
        """The nice value whose weight against a nice-0 process is as `shares` against Docker's
        default (each step of nice is a factor of 1.25 in the kernel's weights): 128 → 9."""
        return max(0, round(math.log(ContainerCpu.DEFAULT_SHARES / shares, 1.25))) if shares else 19

    @staticmethod
    def command(groups, service, number, words):
        """`words` started in that service's group (a shell joins it, then becomes the command: gunicorn's
        workers, its children, follow it), or without groups, niced as its weight says."""
        shares = compose_cpu_shares(service)
        if groups is None:
            nice = ContainerCpu.nice_for(shares)
            return ["nice", "-n", str(nice), *words] if nice else words
        procs = groups.group(f"{service}-{number}", shares)
        return ["sh", "-c", 'echo $$ > "$0" && exec "$@"', str(procs), *words]

    def describe(self):
        return ", ".join(f"{group.name.split('-', 3)[3]} {(group / 'cpu.shares').read_text().strip()}" for group in self.made)

    def remove(self):
        """Each group, once its processes have ended (a group with a process in it stays); this
        process back in the root group first."""
        (self.ROOT / "cgroup.procs").write_text(str(os.getpid()))
        for group in self.made:
            for _ in range(50):
                try:
                    group.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                print(f"Could not remove the CPU group {group}: a process is still in it.")


def worker_command(python, service="worker"):
    """The compose file's command of that service (its worker or its finisher), with this Python."""
    compose = (ROOT / "docker-compose.yml").read_text()
    command = re.search(rf"^  {service}:.*?^    command: \[(.*?)\]$", compose, re.S | re.M).group(1)
    words = [word.strip().strip('"') for word in command.split(",")]
    return [python if word == "python" else word for word in words]


def compose_cpu_shares(service):
    """The compose file's `cpu_shares` of that service, or Docker's default."""
    compose = (ROOT / "docker-compose.yml").read_text()
    block = re.search(rf"^  {service}:\n(.*?)(?=^  \S|^\S|\Z)", compose, re.S | re.M).group(1)
    found = re.search(r"^    cpu_shares: (\d+)$", block, re.M)
    return int(found.group(1)) if found else ContainerCpu.DEFAULT_SHARES


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trainers", type=int, nargs="*", help="how many trainers work at once, one run each")
    parser.add_argument("--seconds", type=int, default=None, help="length of each run (default 60; 5 with --writes)")
    parser.add_argument("--writes", action="store_true", help="write latencies at 1, 4 and 16 users")
    parser.add_argument("--workers", type=int, default=1, help="report workers beside gunicorn (default 1, as the compose file)")
    parser.add_argument("--finishers", type=int, default=1,
                        help="the compose file's finishers beside them (default 1, as the compose file; 0: none)")
    parser.add_argument("--together", action="store_true",
                        help="every trainer starts within the same 5 s (their Finishes come in bursts), not each at her own moment")
    parser.add_argument("--seed", type=int, default=None,
                        help="where each trainer starts in her book and her day, the same from run to run (to compare code)")
    parser.add_argument("--drawn", action="store_true",
                        help="first draw the reports of the clients the run will reach, as the worker keeps them day to day")
    parser.add_argument("--draw-only", action="store_true",
                        help="draw what --drawn would, in this process, and stop: a database to copy for runs with --drawn")
    parser.add_argument("--side-by-side", action="store_true",
                        help="every service in one CPU group, not each in its own as Docker runs the compose file's "
                             "(one whose cpu_shares are under the default niced to match)")
    args = parser.parse_args()
    if not args.trainers and not args.writes:
        parser.error("say how many trainers (e.g. 10 20 50), or --writes")
    if args.seed is not None:
        random.seed(args.seed)

    import django

    django.setup()
    from django.db import connection

    if args.draw_only:  # a volume to copy for runs with --drawn and the same --seed and --seconds
        for trainers in args.trainers:
            draw_beforehand(books_of(trainers), args.seconds or 60)
        return
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        print("Measure as deployed: DATABASE_URL on PostgreSQL and REDIS_URL set.")
    served, access_log, groups = serve(args.workers, args.finishers, not args.side_by_side)
    SERVED[:] = [process.pid for process in served]
    try:
        print(f"gunicorn (3 workers), {args.workers} × {' '.join(worker_command('python'))} and {args.finishers} × "
              f"{' '.join(worker_command('python', 'finisher'))} on 127.0.0.1:{PORT}, "
              f"{connection.vendor} {connection.settings_dict['NAME']}")
        print(f"CPU groups (cpu_shares), as Docker's containers: {groups.describe()}; PostgreSQL and Redis outside them"
              if groups else "No CPU groups: every service side by side, niced as its cpu_shares says")
        if args.writes:
            writes(args.seconds or 5)
        for trainers in args.trainers:
            connection.close()
            studio_day(trainers, args.seconds or 60, args.drawn, args.together)
    finally:
        stop(served, groups)
        access_log.unlink(missing_ok=True)
        shutil.rmtree(ROOT / "staticfiles", ignore_errors=True)


if __name__ == "__main__":
    main()

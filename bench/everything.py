""""Download everything about her" for a client with 50 assessments and a programme:
the whole zip (JSON + 50 PDF reports + README).

First as it normally is: the worker (reports/drawing.py) has drawn her reports, here by running
its task in this process, then her export page and the zip. Then after she logs a session
(her latest report must be drawn again; the others are records and are only checked). Then
cold, as if no worker ran (no stored reports), two ways: through her export page, which draws
the reports in steps of PREPARE_BUDGET seconds (each step one request, as the browser makes
them), then the zip; and the zip URL alone, which draws for one step and then hands over to
her export page.
The machine may be shared: each line gives the wall time, this process's CPU time (the
requests run in it) and the load.

Run:  .venv/bin/python bench/everything.py [assessments]
Uses a scratch SQLite database with the demo data.
"""

import os
import sys
import tempfile
import time
import zipfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
scratch = tempfile.mkdtemp(prefix="restride-everything-bench-")
os.environ.update(DJANGO_SETTINGS_MODULE="config.test_settings", DATABASE_URL=f"sqlite:///{scratch}/bench.sqlite3")
COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 50

import django  # noqa: E402

django.setup()

from datetime import timedelta  # noqa: E402

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.urls import reverse  # noqa: E402


def main():
    call_command("migrate", verbosity=0)
    call_command("loaddemo", verbosity=0)
    from assessments.models import Assessment, values_at_target
    from programmes.models import Programme, current_programme_of

    # A client whose programme she can log a session in (the demo pauses some).
    client = next(programme.client for programme in Programme.objects.select_related("client").order_by("pk")
                  if current_programme_of(programme.client).can_log)
    have = client.assessments.count()
    for index in range(COUNT - have):
        Assessment(client=client, assessed_on=client.baby_date_of_birth + timedelta(days=60 + index),
                   recorded_by=client.trainer, **values_at_target()).save()
    assert client.assessments.count() == COUNT
    http = HttpClient()
    http.force_login(client.trainer)
    url = reverse("audit:export_everything", args=[client.pk])
    from privacy import everything
    from privacy.views import PREPARE_BUDGET

    start = time.perf_counter()
    everything.as_data(everything.load(client.pk))
    print(f"{COUNT} assessments, the JSON alone: {time.perf_counter() - start:.2f} s")
    print(f"each step of the export page draws for about PREPARE_BUDGET = {PREPARE_BUDGET} s")
    page_url = reverse("audit:everything", args=[client.pk])

    def download(label):
        start, cpu = time.perf_counter(), time.process_time()
        response = http.get(url)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        names = zipfile.ZipFile(BytesIO(response.content)).namelist()
        pdfs = sum(name.endswith(".pdf") for name in names)
        print(f"{COUNT} assessments, {label}: {seconds:.2f} s ({cpu:.2f} s CPU, load {os.getloadavg()[0]:.1f}), "
              f"{len(response.content) / 1e6:.1f} MB, {pdfs} PDFs")

    from django.utils import timezone

    from reports.drawing import draw_client_reports
    from reports.models import DrawnReport

    def timed(label, function):
        start, cpu = time.perf_counter(), time.process_time()
        result = function()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"{COUNT} assessments, {label}: {seconds:.2f} s ({cpu:.2f} s CPU, load {os.getloadavg()[0]:.1f})")
        return result

    def export_page_then_zip(label):
        start, cpu = time.perf_counter(), time.process_time()
        page = http.get(page_url)
        assert page.status_code == 302, "every report was drawn: the page goes straight to the zip"
        response = http.get(page["Location"])
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        pdfs = sum(name.endswith(".pdf") for name in zipfile.ZipFile(BytesIO(response.content)).namelist())
        print(f"{COUNT} assessments, {label}: her export page and the zip {seconds:.2f} s ({cpu:.2f} s CPU, "
              f"load {os.getloadavg()[0]:.1f}), {len(response.content) / 1e6:.1f} MB, {pdfs} PDFs")

    drawn = timed("the worker draws every report (in the background)", lambda: draw_client_reports(client.pk))
    assert drawn == COUNT
    export_page_then_zip("drawn by the worker")
    programme = current_programme_of(client)
    programme.log_session(by=client.trainer, sequence=programme.log_sequence + 1, done_on=timezone.localdate(),
                          outcome="completed", effort=4, symptoms=[])
    drawn = timed("after she logs a session, the worker checks all and draws her latest report",
                  lambda: draw_client_reports(client.pk))
    assert drawn == 1, drawn
    export_page_then_zip("drawn by the worker again")

    DrawnReport.objects.all().delete()
    cache.clear()
    steps = []
    start, cpu = time.perf_counter(), time.process_time()
    while True:
        step_start = time.perf_counter()
        response = http.get(page_url, headers={"HX-Request": "true"} if steps else {})
        steps.append(time.perf_counter() - step_start)
        if b"reports are ready" in response.content or response.status_code == 302:
            break
    total, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{COUNT} assessments, cold through her export page: {len(steps)} steps, longest {max(steps):.1f} s, "
          f"{total:.1f} s until the zip is ready ({cpu:.1f} s CPU, load {os.getloadavg()[0]:.1f})")
    download("then the zip (reports stored)")
    DrawnReport.objects.all().delete()
    cache.clear()
    start, cpu = time.perf_counter(), time.process_time()
    response = http.get(url)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert response.status_code == 302 and response["Location"] == page_url, "hands over to the steps"
    print(f"{COUNT} assessments, cold, the zip URL alone: draws for one step, {seconds:.1f} s ({cpu:.1f} s CPU), "
          f"then hands over to her export page ({DrawnReport.objects.count()} reports drawn)")

if __name__ == "__main__":
    main()

""""Download everything about her" for a client with 50 assessments and a programme:
the whole zip (JSON + 50 PDF reports + README), drawn cold (no cached reports) and warm.

Cold is measured two ways: through her export page, which draws the reports in steps of
PREPARE_BUDGET seconds (each step one request, as the browser makes them), then the zip; and
the zip URL alone in one request, which draws every report itself. The machine may be shared:
each line gives the wall time, this process's CPU time (the requests run in it) and the load.

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
    from programmes.models import Programme

    client = Programme.objects.select_related("client").first().client
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
    download("then the zip (reports cached)")
    cache.clear()
    download("cold, the zip URL alone in one request (every report drawn)")
    download("warm (reports cached)")

if __name__ == "__main__":
    main()

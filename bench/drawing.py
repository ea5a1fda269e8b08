"""What one changed client costs the report worker: a client with 12 assessments (or as many as
asked) and a programme, her reports all drawn; then she logs a session, and the worker's task
for her runs (reports/drawing.py draw_reports, its work in draw_client_reports), in this process, warmed up as `manage.py worker`
warms up before its first task. Printed: how many reports it rendered to know their keys, how
many it drew, and its wall and CPU time; then the same after an edit of her latest assessment,
and after an edit of her first one.

Run:  .venv/bin/python bench/drawing.py [assessments]
Uses a scratch SQLite database with the demo data.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
scratch = tempfile.mkdtemp(prefix="restride-drawing-bench-")
os.environ.update(DJANGO_SETTINGS_MODULE="config.test_settings", DATABASE_URL=f"sqlite:///{scratch}/bench.sqlite3")
COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 12

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402


def main():
    import random

    from accounts.models import Trainer
    from clients.models import Client
    from programmes.models import Plan, Programme
    from reports import pdf
    from reports.drawing import draw_client_reports
    from reports.management.commands.loadscale import Command as LoadScale
    from reports.management.commands.worker import warm_up

    call_command("migrate", verbosity=0)
    loader = LoadScale()
    loader.random, loader.password = random.Random(2026), "!"
    loader.template = Plan.objects.get(trainer=None, name="Walk–run to 30 minutes")
    loader.template_sessions = list(loader.template.sessions.prefetch_related("blocks"))
    trainer = Trainer.objects.create(email="drawing@restride.example", full_name="Drawing Trainer")
    loader.book(trainer, 1, COUNT)
    client = Client.objects.get(trainer=trainer)
    if not client.programmes.exists():
        loader.programmes(trainer, [client], timezone.localdate())

    warm_up()
    rendered, drawn = [], []
    render, draw = pdf.report_html, pdf.html_to_pdf
    pdf.report_html = lambda *args, **kwargs: rendered.append(1) or render(*args, **kwargs)
    pdf.html_to_pdf = lambda html: drawn.append(1) or draw(html)

    def worker(label):
        rendered.clear()
        drawn.clear()
        started, cpu = time.perf_counter(), time.process_time()
        draw_client_reports(client.pk)
        print(f"{label:44} rendered {len(rendered):3d}, drew {len(drawn):3d}: "
              f"{time.perf_counter() - started:6.2f} s ({time.process_time() - cpu:5.2f} s CPU, "
              f"load {os.getloadavg()[0]:.1f})")

    worker(f"all {COUNT} reports, none drawn yet")
    worker("again, nothing changed")
    programme = Programme.objects.with_progress().get(client=client)
    programme.log_session(by=trainer, sequence=programme.next_sequence, done_on=timezone.localdate(),
                          outcome="completed", effort=4, symptoms=[])
    worker("after she logged a session")
    latest, first = client.assessments.order_by("-assessed_on", "-pk")[0], client.assessments.order_by("assessed_on", "pk")[0]
    latest.save_changes({"notes": "Felt strong"}, trainer, latest.version)
    worker("after her latest assessment's notes changed")
    first.save_changes({"strength_calf_raise_left": 5}, trainer, first.version)
    worker("after a measurement of her first one changed")


if __name__ == "__main__":
    main()

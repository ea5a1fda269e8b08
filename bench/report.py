"""PDF report costs: our full render against WeasyPrint alone on the same finished HTML,
and a repeated download of an unchanged report (served from the store, and 304).

Run:  .venv/bin/python bench/report.py [rounds]
Uses a scratch SQLite database with the demo data.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
scratch = tempfile.mkdtemp(prefix="restride-report-bench-")
os.environ.update(
    DJANGO_SETTINGS_MODULE="config.test_settings", DATABASE_URL=f"sqlite:///{scratch}/bench.sqlite3",
)
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 10

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402


def median_ms(function, rounds=ROUNDS):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main():
    call_command("migrate", verbosity=0)
    call_command("loaddemo", verbosity=0)
    from accounts.models import Trainer
    from programmes.models import Programme
    from reports import pdf
    from reports.progress import report_context

    client = Programme.objects.select_related("client").first().client  # a client with a programme and charts
    assessment = client.assessments.first()
    today = timezone.localdate()

    def full_render():
        return pdf.render_report(report_context(client, assessment, today))

    full_render()  # warm: fonts, stylesheet, templates
    html = render_to_string("reports/report.html", report_context(client, assessment, today))
    ours = median_ms(full_render)
    weasyprint_alone = median_ms(lambda: pdf.html_to_pdf(html))

    http = HttpClient()
    http.force_login(Trainer.objects.get())
    url = reverse("reports:trainer_pdf", args=[assessment.pk])
    forget()
    first = http.get(url)
    cached = median_ms(lambda: http.get(url), rounds=ROUNDS * 5)
    etag = first["ETag"]
    not_modified = median_ms(lambda: http.get(url, headers={"If-None-Match": etag}), rounds=ROUNDS * 5)
    assert http.get(url, headers={"If-None-Match": etag}).status_code == 304

    print(f"report of {client.full_name}, {assessment.assessed_on:%-d %b %Y} ({len(first.content) // 1024} KB), median of {ROUNDS}:")
    print(f"  full render (queries, charts, template, WeasyPrint) {ours:8.1f} ms")
    print(f"  WeasyPrint alone on the finished HTML                {weasyprint_alone:8.1f} ms")
    print(f"  overhead                                             {ours / weasyprint_alone - 1:8.1%}  (aim: at most 15%)")
    print(f"  repeat download, served from the store               {cached:8.1f} ms  (aim: under 50 ms)")
    print(f"  repeat download with If-None-Match (304)             {not_modified:8.1f} ms")
    history_size()


def forget():
    """Nothing drawn: no stored report (reports.DrawnReport)."""
    from reports.models import DrawnReport

    cache.clear()
    DrawnReport.objects.all().delete()


def cold(http, url):
    forget()
    assert http.get(url).status_code == 200, url


def history_size():
    """Her page and PDF for a client with 300 assessments against one with 12, nothing cached
    (the cache is cleared before each request): bounded in her history, they should cost about
    the same (aim: within 1.5×)."""
    from accounts.models import Trainer
    from clients.models import Client, ShareLink
    from programmes.models import Plan
    from reports.management.commands.loadscale import Command as LoadScale

    loader = LoadScale()
    loader.random = __import__("random").Random(2026)
    loader.password = "!"
    loader.template = Plan.objects.get(trainer=None, name="Walk–run to 30 minutes")
    loader.template_sessions = list(loader.template.sessions.prefetch_related("blocks"))
    trainer = Trainer.objects.create(email="history@restride.example", full_name="History Trainer")
    http = HttpClient()
    http.force_login(trainer)
    timings = {}
    for count in (12, 300):
        loader.book(trainer, 1, count)
        client = Client.objects.filter(trainer=trainer).order_by("-pk").first()
        if not client.programmes.exists():  # both with a programme, so they draw the same charts
            loader.programmes(trainer, [client], timezone.localdate())
        _, token = ShareLink.issue(client, trainer)
        page = reverse("reports:progress", args=[token])
        report = reverse("reports:trainer_pdf", args=[client.assessments.first().pk])

        cold(http, page), cold(http, report)  # warm: templates, fonts
        timings[count] = (median_ms(lambda url=page: cold(http, url)),
                          median_ms(lambda url=report: cold(http, url), rounds=max(3, ROUNDS // 2)))
    print("her page and her latest report, nothing cached, median (aim: 300 assessments within 1.5× of 12):")
    for count, (page_ms, report_ms) in timings.items():
        print(f"  {count:3d} assessments: page {page_ms:7.1f} ms, PDF {report_ms:7.1f} ms")
    print(f"  300 against 12: page {timings[300][0] / timings[12][0]:.2f}×, PDF {timings[300][1] / timings[12][1]:.2f}×")


if __name__ == "__main__":
    main()

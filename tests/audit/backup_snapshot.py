"""What the app serves from a database, as JSON: run against the original and a restored
database and compare. Run:  DATABASE_URL=... python -m tests.audit.backup_snapshot YYYY-MM-DD"""

import hashlib
import json
import os
import sys


def snapshot(today):
    from django.template.loader import render_to_string

    from accounts.models import Trainer, TrainerLogo
    from assessments.models import Assessment, AssessmentChange
    from audit.models import AccessEvent
    from clients.models import Client, ConsentRecord, ShareLink
    from programmes.models import Plan, PlanBlock, PlanSession, Programme, Resume, SessionLog
    from reports.progress import client_progress

    tables = {}
    for model in (Trainer, TrainerLogo, Client, ConsentRecord, ShareLink, Assessment, AssessmentChange, Plan,
                  PlanSession, PlanBlock, Programme, SessionLog, Resume, AccessEvent):
        rows = list(model.objects.order_by("pk").values())
        for row in rows:
            for key, value in row.items():
                if isinstance(value, (bytes, memoryview)):
                    row[key] = hashlib.sha256(bytes(value)).hexdigest()
        tables[model.__name__] = rows
    reports = {}
    for assessment in Assessment.objects.select_related("client__trainer").order_by("pk"):
        context = client_progress(assessment.client, assessment, today)
        context["logo_url"] = TrainerLogo.url_for(assessment.client.trainer)
        # The report's HTML is what WeasyPrint draws: the same HTML, the same report.
        reports[assessment.pk] = hashlib.sha256(render_to_string("reports/report.html", context).encode()).hexdigest()
    return {"tables": tables, "reports": reports}


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    import django

    django.setup()
    from datetime import date

    print(json.dumps(snapshot(date.fromisoformat(sys.argv[1])), default=str, sort_keys=True))

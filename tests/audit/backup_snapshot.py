"""What the app serves from a database, as JSON: run against the original and a restored
database and compare. Run:  DATABASE_URL=... python -m tests.audit.backup_snapshot YYYY-MM-DD"""

import hashlib
import json
import os
import sys

# Every model of the project's own apps is compared, so a model added later (home's "Seen", a
# studio …) is carried by backups or this test says so.
PROJECT_APPS = {"accounts", "assessments", "audit", "clients", "practice", "privacy", "programmes", "reports"}


def snapshot(today):
    from django.apps import apps

    from accounts.models import StudioLogo
    from assessments.models import Assessment
    from reports.pdf import report_html, report_key

    tables = {}
    for model in sorted((m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS), key=lambda m: m._meta.label):
        rows = list(model.objects.order_by("pk").values())
        for row in rows:
            for key, value in row.items():
                if isinstance(value, (bytes, memoryview)):
                    row[key] = hashlib.sha256(bytes(value)).hexdigest()
        tables[model._meta.label] = rows
    reports = {}
    for assessment in Assessment.objects.select_related("client__trainer").order_by("pk"):
        latest = assessment.client.assessments.order_by("-assessed_on", "-pk").values_list("pk", flat=True).first()
        # The report's key is derived from the HTML WeasyPrint draws: the same key, the same report.
        html = report_html(assessment, latest, today, StudioLogo.url_for(assessment.client.studio_id))
        reports[assessment.pk] = report_key(html)
    return {"tables": tables, "reports": reports}


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    import django

    django.setup()
    from datetime import date

    print(json.dumps(snapshot(date.fromisoformat(sys.argv[1])), default=str, sort_keys=True))

from django.db import migrations


def refresh_every_client(apps, schema_editor):
    """Her open red flags (issue 19), her programmes' stored state and her first day on home's
    worklist (issue 20), for every client, from her records as they now stand (the warning-sign questions are not asked on any of them yet).

    The rules live on the real models (historical ones have no methods), so this reads the app's
    models: it must be the LAST migration that fills derived state, after every migration that adds a
    column to Client, Assessment, Programme or SessionLog. A later migration that changes them moves
    this fill to itself and leaves a no-op here (as 0006 does now)."""
    # Moved to 0012_refresh_derived_state: the worklist now reads Trainer.quiet_after_days
    # (accounts 0005), which the app's models need before any fill can run.


class Migration(migrations.Migration):

    dependencies = [
        ('programmes', '0006_programme_stored_state'),
        ('clients', '0009_client_on_worklist_from'),
        ('assessments', '0004_warning_signs_and_deleted_assessments'),
    ]

    operations = [migrations.RunPython(refresh_every_client, migrations.RunPython.noop)]

from django.db import migrations


def refresh_every_client(apps, schema_editor):
    """Her open red flags, her programmes' stored state and her first day on home's worklist, for
    every client, from her records as they now stand: issue 22 adds the worklist's reasons the days
    bring (a session due, a quiet programme, a check-up's week) and "ready with no programme",
    issue 24 red flags from her strength sessions, issue 23 the wellbeing check's recovery entry,
    issue 20 what her row keeps for the worklist's one query (clients 0012), and issue 26 reads the
    "quiet after" setting from her studio (accounts 0007), so every row's derived state is worked
    out again.

    The rules live on the real models (historical ones have no methods), so this reads the app's
    models: it must be the LAST migration that fills derived state, after every migration that adds
    a column to Client, Assessment, Programme, SessionLog or the Trainer and Studio fields the
    worklist reads. A later migration that changes them moves this fill to itself and leaves a
    no-op here (as 0007, 0012 and 0014 do now)."""
    from clients.models import Client

    if apps.get_model("clients", "Client").objects.exists():
        for client in Client.objects.all().iterator():
            client.refresh_derived()


class Migration(migrations.Migration):

    dependencies = [
        ('programmes', '0015_studio_plans_and_exercises'),
        ('accounts', '0007_studios'),
        ('clients', '0013_client_studio'),
        ('practice', '0001_attentionack'),
        ('reports', '0003_reminder'),
    ]

    operations = [migrations.RunPython(refresh_every_client, migrations.RunPython.noop)]

from django.db import migrations


class Migration(migrations.Migration):
    """Worked out every client's derived state; that fill has moved to 0014_refresh_derived_state,
    after the columns issue 20 added (clients 0012): it must be the last migration that fills
    derived state (the rules live on the real models, which expect every column)."""

    dependencies = [
        ('programmes', '0011_session_wellbeing'),
        ('accounts', '0006_trainer_daily_digest'),
        ('clients', '0011_client_reminders'),
        ('reports', '0003_reminder'),
    ]

    operations = []

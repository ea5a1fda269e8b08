from django.db import migrations


class Migration(migrations.Migration):
    """Worked out every client's derived state; that fill has moved to 0016_refresh_derived_state,
    after studios (issue 26: accounts 0007, clients 0013) moved the worklist's "quiet after"
    setting to the studio: it must be the last migration that fills derived state (the rules live
    on the real models, which expect every column)."""

    dependencies = [
        ('programmes', '0013_move_attentionack_to_practice'),
        ('accounts', '0006_trainer_daily_digest'),
        ('clients', '0012_client_worklist_state'),
        ('reports', '0003_reminder'),
    ]

    operations = []

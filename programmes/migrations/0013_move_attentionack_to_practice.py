from django.db import migrations


class Migration(migrations.Migration):
    """AttentionAck, home's worklist acknowledgement, is practice's now (practice/models.py,
    practice 0001_attentionack): it leaves programmes' migration state only. Its table, with every
    ack in it, stays as it is under its old name (the model's db_table), so nothing is copied and
    a database or a backup from before the move carries its acks across.

    It touches nothing that derived state is worked out from, so 0012_refresh_derived_state stays
    the last migration that fills it."""

    dependencies = [
        ("programmes", "0012_refresh_derived_state"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AttentionAck")],
            database_operations=[],
        ),
    ]

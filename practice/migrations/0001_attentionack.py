import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """AttentionAck arrives from programmes (programmes 0013_move_attentionack_to_practice) in the
    migration state only: the table programmes 0004 made, programmes_attentionack, is the model's
    db_table, so the database is not touched and every existing ack is read as practice's."""

    initial = True

    dependencies = [
        ("programmes", "0013_move_attentionack_to_practice"),
        ("clients", "0011_client_reminders"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AttentionAck",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("seen", "Seen"), ("referral_sent", "Referral sent")], max_length=16)),
                        ("fingerprint", models.CharField(max_length=64)),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                                                 to=settings.AUTH_USER_MODEL)),
                        ("client", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="attention_acks",
                                                     to="clients.client")),
                    ],
                    options={
                        "db_table": "programmes_attentionack",
                        "ordering": ["-at", "-pk"],
                        "indexes": [models.Index(fields=["client", "-at"], name="attention_ack_latest")],
                        "constraints": [models.CheckConstraint(condition=models.Q(("kind__in", ["seen", "referral_sent"])),
                                                               name="attention_ack_kind_valid")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]

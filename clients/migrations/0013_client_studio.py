"""Studios (issue 26): every client becomes her trainer's studio's client, her trainer her lead trainer."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def clients_join_their_trainers_studios(apps, schema_editor):
    Client, Trainer = apps.get_model("clients", "Client"), apps.get_model("accounts", "Trainer")
    Client.objects.filter(studio__isnull=True).update(
        studio_id=models.Subquery(Trainer.objects.filter(pk=models.OuterRef("trainer_id")).values("studio_id")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_studios'),
        ('clients', '0012_client_worklist_state'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='client',
            name='studio',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='clients', to='accounts.studio'),
        ),
        migrations.RunPython(clients_join_their_trainers_studios, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='client',
            name='studio',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='clients', to='accounts.studio'),
        ),
        migrations.AlterField(
            model_name='client',
            name='trainer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='clients', to=settings.AUTH_USER_MODEL, verbose_name='lead trainer'),
        ),
        migrations.RemoveIndex(model_name='client', name='client_trainer_name'),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(fields=['studio', '-last_activity_at'], name='client_studio_activity'),
        ),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(condition=models.Q(('archived_at__isnull', True), ('on_worklist_from__isnull', False)), fields=['studio', 'on_worklist_from'], name='client_studio_worklist'),
        ),
        migrations.AddIndex(
            model_name='client',
            index=models.Index(fields=['studio', 'full_name'], name='client_studio_name'),
        ),
    ]

"""Studios (issue 26): a trainer's templates, her clients' plan copies and her exercises become her
studio's; the trainer stays named as who made them. Built-ins have neither."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def to_their_trainers_studios(apps, schema_editor):
    Trainer = apps.get_model("accounts", "Trainer")
    studio_of_trainer = models.Subquery(Trainer.objects.filter(pk=models.OuterRef("trainer_id")).values("studio_id")[:1])
    for name in ("Plan", "Exercise"):
        apps.get_model("programmes", name).objects.filter(trainer__isnull=False, studio__isnull=True).update(
            studio_id=studio_of_trainer)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_studios'),
        ('programmes', '0014_refresh_derived_state'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='exercise',
            name='studio',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='exercises', to='accounts.studio'),
        ),
        migrations.AddField(
            model_name='plan',
            name='studio',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='plans', to='accounts.studio'),
        ),
        migrations.RunPython(to_their_trainers_studios, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name='exercise',
            options={'ordering': ['serves', 'studio_id', 'name', 'pk']},
        ),
        migrations.AlterModelOptions(
            name='plan',
            options={'ordering': ['studio_id', 'name']},
        ),
        migrations.RemoveConstraint(model_name='plan', name='plan_copy_has_trainer'),
        migrations.RemoveIndex(model_name='exercise', name='exercise_trainer_serves'),
        migrations.AlterField(
            model_name='exercise',
            name='trainer',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='exercises', to=settings.AUTH_USER_MODEL, verbose_name='added by'),
        ),
        migrations.AlterField(
            model_name='plan',
            name='trainer',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='plans', to=settings.AUTH_USER_MODEL, verbose_name='made by'),
        ),
        migrations.AddIndex(
            model_name='exercise',
            index=models.Index(fields=['studio', 'serves'], name='exercise_studio_serves'),
        ),
        migrations.AddConstraint(
            model_name='plan',
            constraint=models.CheckConstraint(condition=models.Q(('studio__isnull', False), ('is_template', True), _connector='OR'), name='plan_copy_has_studio'),
        ),
    ]

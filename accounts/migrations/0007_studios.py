"""Studios (issue 26): every trainer becomes the owner of a studio of one, which takes her business
details (the report's letterhead), her logo and her "quiet after" setting. Nothing she sees changes."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import accounts.models

LETTERHEAD = {"business_name": "name", "business_phone": "phone", "business_email": "email", "website": "website",
              "quiet_after_days": "quiet_after_days"}


def studio_for_every_trainer(apps, schema_editor):
    Trainer, Studio = apps.get_model("accounts", "Trainer"), apps.get_model("accounts", "Studio")
    TrainerLogo, StudioLogo = apps.get_model("accounts", "TrainerLogo"), apps.get_model("accounts", "StudioLogo")
    for trainer in Trainer.objects.filter(studio__isnull=True).order_by("pk").iterator():
        trainer.studio = Studio.objects.create(
            **{to: getattr(trainer, field) for field, to in LETTERHEAD.items()},
            retention_days=settings.RETENTION_DAYS_AFTER_ARCHIVE)
        trainer.role = "owner"
        trainer.save(update_fields=["studio", "role"])
    for logo in TrainerLogo.objects.select_related("trainer").iterator():
        StudioLogo.objects.create(studio_id=logo.trainer.studio_id, data=logo.data, content_type=logo.content_type,
                                  updated_at=logo.updated_at)


def letterhead_back_to_trainers(apps, schema_editor):
    """Undoing: each trainer takes her studio's details and logo back (a studio of several gives
    them to each of its members)."""
    Trainer = apps.get_model("accounts", "Trainer")
    TrainerLogo, StudioLogo = apps.get_model("accounts", "TrainerLogo"), apps.get_model("accounts", "StudioLogo")
    logos = {logo.studio_id: logo for logo in StudioLogo.objects.all()}
    for trainer in Trainer.objects.select_related("studio").iterator():
        for field, to in LETTERHEAD.items():
            setattr(trainer, field, getattr(trainer.studio, to))
        trainer.save(update_fields=list(LETTERHEAD))
        if logo := logos.get(trainer.studio_id):
            TrainerLogo.objects.create(trainer=trainer, data=logo.data, content_type=logo.content_type)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_trainer_daily_digest'),
    ]

    operations = [
        # TrainerManager joins her studio to every query: historical trainers may have none.
        migrations.AlterModelManagers(name='trainer', managers=[]),
        migrations.CreateModel(
            name='Studio',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(blank=True, help_text="Shown on your clients' pages and reports. Left blank, they show the lead trainer's name.", max_length=150, verbose_name='studio name')),
                ('phone', models.CharField(blank=True, max_length=30)),
                ('email', models.EmailField(blank=True, max_length=254, verbose_name='contact email')),
                ('website', models.URLField(blank=True)),
                ('quiet_after_days', models.PositiveSmallIntegerField(default=7, help_text='Days without a session before home lists her: from 2 to 60.', validators=[django.core.validators.MinValueValidator(2), django.core.validators.MaxValueValidator(60)], verbose_name='a programme is quiet after')),
                ('retention_days', models.PositiveIntegerField(default=accounts.models.default_retention_days, verbose_name='keep archived clients for (days)')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name='StudioLogo',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('data', models.BinaryField()),
                ('content_type', models.CharField(max_length=20)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('studio', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='logo', to='accounts.studio')),
            ],
        ),
        migrations.AddField(
            model_name='trainer',
            name='studio',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='members', to='accounts.studio'),
        ),
        migrations.AddField(
            model_name='trainer',
            name='role',
            field=models.CharField(choices=[('owner', 'Owner'), ('trainer', 'Trainer')], default='owner', max_length=8),
        ),
        migrations.AddField(
            model_name='trainer',
            name='session_epoch',
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(studio_for_every_trainer, letterhead_back_to_trainers),
        migrations.AlterField(
            model_name='trainer',
            name='studio',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='members', to='accounts.studio'),
        ),
        migrations.DeleteModel(name='TrainerLogo'),
        migrations.RemoveField(model_name='trainer', name='business_name'),
        migrations.RemoveField(model_name='trainer', name='business_phone'),
        migrations.RemoveField(model_name='trainer', name='business_email'),
        migrations.RemoveField(model_name='trainer', name='website'),
        migrations.RemoveField(model_name='trainer', name='quiet_after_days'),
        migrations.AddConstraint(
            model_name='trainer',
            constraint=models.CheckConstraint(condition=models.Q(('role__in', ['owner', 'trainer'])), name='trainer_role_valid'),
        ),
    ]

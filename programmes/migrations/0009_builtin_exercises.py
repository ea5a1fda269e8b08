"""Install the built-in exercise library from programmes/builtin_exercises.py."""

from dataclasses import asdict

from django.db import migrations

from programmes.builtin_exercises import BUILTIN_EXERCISES


def install(apps, schema_editor):
    Exercise = apps.get_model("programmes", "Exercise")
    for exercise in BUILTIN_EXERCISES:
        if not Exercise.objects.filter(trainer=None, name=exercise.name).exists():
            Exercise.objects.create(trainer=None, **asdict(exercise))


def remove(apps, schema_editor):
    apps.get_model("programmes", "Exercise").objects.filter(
        trainer=None, name__in=[e.name for e in BUILTIN_EXERCISES]).delete()


class Migration(migrations.Migration):
    dependencies = [("programmes", "0008_strength_work")]
    operations = [migrations.RunPython(install, remove)]

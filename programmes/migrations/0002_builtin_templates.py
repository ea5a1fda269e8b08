"""Install the built-in walk–run templates from programmes/builtin.py."""

from django.db import migrations

from programmes.builtin import BUILTIN_TEMPLATES


def install(apps, schema_editor):
    Plan = apps.get_model("programmes", "Plan")
    PlanSession = apps.get_model("programmes", "PlanSession")
    PlanBlock = apps.get_model("programmes", "PlanBlock")
    for template in BUILTIN_TEMPLATES:
        if Plan.objects.filter(trainer=None, name=template.name).exists():
            continue
        plan = Plan.objects.create(trainer=None, name=template.name, description=template.description, is_template=True)
        for week_number, week in enumerate(template.weeks, start=1):
            for number, session_plan in enumerate(week.sessions, start=1):
                session = PlanSession.objects.create(
                    plan=plan, week=week_number, number=number,
                    warm_up_seconds=session_plan.warm_up_seconds, cool_down_seconds=session_plan.cool_down_seconds,
                )
                PlanBlock.objects.bulk_create(
                    PlanBlock(session=session, position=position, run_seconds=block.run_seconds,
                              walk_seconds=block.walk_seconds, repeats=block.repeats)
                    for position, block in enumerate(session_plan.blocks, start=1)
                )


def remove(apps, schema_editor):
    apps.get_model("programmes", "Plan").objects.filter(trainer=None, name__in=[t.name for t in BUILTIN_TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]

from django.db import migrations

# reports.drawing.waiting() looks for a drawing of hers still waiting at the end of every operation
# on her data: by her id among the waiting tasks, not by scanning every waiting task (their
# ordering index), which grows with the queue when the worker falls behind. PostgreSQL only: the
# expression is the one waiting_sql() writes for it; SQLite is for development.
CREATE = ("CREATE INDEX IF NOT EXISTS reports_drawing_waiting ON django_tasks_database_dbtaskresult "
          "((args_kwargs #>> '{args,0}')) WHERE status = 'READY'")
DROP = "DROP INDEX IF EXISTS reports_drawing_waiting"


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_reminder"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]

from django.db import migrations, models


def _queue_index(include=()):
    return models.Index(fields=["current_agency", "status", "due_at"], include=include, name="dossier_queue")


def _swap(schema_editor, model, old, new):
    """Replace the index ``old`` by ``new`` (same name). On PostgreSQL without stopping the portal: the new
    one is built CONCURRENTLY under a temporary name, the old one dropped CONCURRENTLY, the new one renamed
    (a rename takes no lock that stops reads or writes). Elsewhere, dropped and made again."""
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.remove_index(model, old)
        schema_editor.add_index(model, new)
        return
    building = models.Index(fields=new.fields, include=new.include, name="dossier_queue_building")
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS dossier_queue_building")  # a build interrupted
    schema_editor.add_index(model, building, concurrently=True)
    schema_editor.remove_index(model, old, concurrently=True)
    schema_editor.execute("ALTER INDEX dossier_queue_building RENAME TO dossier_queue")


def forwards(apps, schema_editor):
    _swap(schema_editor, apps.get_model("dossiers", "Dossier"), _queue_index(), _queue_index(include=["id"]))


def backwards(apps, schema_editor):
    _swap(schema_editor, apps.get_model("dossiers", "Dossier"), _queue_index(include=["id"]), _queue_index())


class Migration(migrations.Migration):
    """The work queue's index also holds the id, so the dashboard's count of overdue dossiers by the unit
    holding them reads the index alone."""

    atomic = False  # CREATE and DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("dossiers", "0022_report_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="dossier", name="dossier_queue"),
                migrations.AddIndex(model_name="dossier", index=_queue_index(include=("id",))),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        )
    ]

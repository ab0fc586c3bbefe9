"""On PostgreSQL the dossier history cannot be emptied by TRUNCATE either (which skips the row trigger of
0003): a statement-level trigger refuses it, whoever asks, the table's owner included. The application
role has no TRUNCATE privilege in the first place (operations/roles.py)."""

from django.db import migrations

CREATE = """
CREATE TRIGGER dossier_event_no_truncate
    BEFORE TRUNCATE ON dossiers_dossierevent
    FOR EACH STATEMENT EXECUTE FUNCTION dossier_event_append_only();
"""
DROP = "DROP TRIGGER IF EXISTS dossier_event_no_truncate ON dossiers_dossierevent;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0017_heartbeat")]
    operations = [migrations.RunPython(forwards, backwards)]

"""On PostgreSQL the database itself refuses to change or delete a dossier event: the history is
append-only whatever code or person talks to the database (SQLite relies on the model layer)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION dossier_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'dossier events are append-only (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER dossier_event_append_only
    BEFORE UPDATE OR DELETE ON dossiers_dossierevent
    FOR EACH ROW EXECUTE FUNCTION dossier_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS dossier_event_append_only ON dossiers_dossierevent;
DROP FUNCTION IF EXISTS dossier_event_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0002_processing")]
    operations = [migrations.RunPython(forwards, backwards)]

"""On PostgreSQL the database itself refuses to change, delete or empty a feedback's history, as it does
the dossiers' (dossiers 0003 and 0018): whatever code or person talks to the database, the table's owner
included (SQLite relies on the model layer). The application role has no TRUNCATE privilege in the first
place (operations/roles.py)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION feedback_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'feedback events are append-only (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER feedback_event_append_only
    BEFORE UPDATE OR DELETE ON feedback_feedbackevent
    FOR EACH ROW EXECUTE FUNCTION feedback_event_append_only();
CREATE TRIGGER feedback_event_no_truncate
    BEFORE TRUNCATE ON feedback_feedbackevent
    FOR EACH STATEMENT EXECUTE FUNCTION feedback_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS feedback_event_no_truncate ON feedback_feedbackevent;
DROP TRIGGER IF EXISTS feedback_event_append_only ON feedback_feedbackevent;
DROP FUNCTION IF EXISTS feedback_event_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0003_public_answer_and_submission_key")]
    operations = [migrations.RunPython(forwards, backwards)]

import django.db.models.deletion
from django.db import migrations, models


def keys_for_existing_rows(apps, schema_editor):
    Notification = apps.get_model("dossiers", "Notification")
    for row in Notification.objects.select_related("event").iterator():
        row.key = f"event:{row.event_id}:{row.channel}"
        row.dossier_id = row.event.dossier_id
        row.save(update_fields=["key", "dossier"])


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0005_outbox")]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="key",
            field=models.CharField(max_length=150, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("event", "News of a dossier"),
                    ("reminder", "Reminder: due within one working day"),
                    ("escalation", "Overdue dossier"),
                    ("digest", "Weekly list of overdue dossiers"),
                ],
                default="event",
                max_length=12,
                verbose_name="kind",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="dossier",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="notifications",
                to="dossiers.dossier",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="event",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="notifications",
                to="dossiers.dossierevent",
            ),
        ),
        migrations.RunPython(keys_for_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="notification",
            name="key",
            field=models.CharField(max_length=150, unique=True),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["recipient", "channel", "read_at"], name="notification_inbox"),
        ),
    ]

"""Two flags on a required document: the declaration the online form replaces (filled_online) and a
document only shown at the desk (shown_in_person). Rows already loaded from the demo catalogue get the
flags, and its form fields their number bounds and prefill, as the catalogue file now gives them (matched by procedure
code and document or field name, so nothing else is touched)."""

import json
from pathlib import Path

from django.db import migrations, models

CATALOGUE = Path(__file__).resolve().parent.parent / "demo_catalogue.json"
SCHEMA_KEYS = ("integer", "min", "max", "prefill")


def _catalogue():
    try:
        return json.loads(CATALOGUE.read_text(encoding="utf-8"))["procedures"]
    except (OSError, ValueError, KeyError):
        return []


def flags_from_catalogue(apps, schema_editor):
    RequiredDocument = apps.get_model("procedures", "RequiredDocument")
    ProcedureVersion = apps.get_model("procedures", "ProcedureVersion")
    for record in _catalogue():
        for document in record.get("documents", []):
            flags = {key: True for key in ("filled_online", "shown_in_person") if document.get(key)}
            if flags:
                RequiredDocument.objects.filter(version__procedure__code=record["code"], name=document["name"]).update(
                    **flags
                )
        added = {
            field["name"]: {key: field[key] for key in SCHEMA_KEYS if key in field}
            for field in record.get("form_schema", [])
            if any(key in field for key in SCHEMA_KEYS)
        }
        if not added:
            continue
        for version in ProcedureVersion.objects.filter(procedure__code=record["code"]):
            changed = False
            for field in version.form_schema or []:
                if (
                    isinstance(field, dict)
                    and field.get("name") in added
                    and not any(key in field for key in SCHEMA_KEYS)
                ):
                    field.update(added[field["name"]])
                    changed = True
            if changed:
                ProcedureVersion.objects.filter(pk=version.pk).update(form_schema=version.form_schema)


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0003_announced_days"),
    ]

    operations = [
        migrations.AddField(
            model_name="requireddocument",
            name="filled_online",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Ticked for the declaration (tờ khai) that the online form replaces: an online applicant who "
                    "fills the form uploads no file for it."
                ),
                verbose_name="filled in as the online form",
            ),
        ),
        migrations.AddField(
            model_name="requireddocument",
            name="shown_in_person",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Ticked for a document only shown at the desk (xuất trình), e.g. an identity card: online "
                    "applicants bring it when they collect the result instead of uploading it."
                ),
                verbose_name="shown in person",
            ),
        ),
        migrations.RunPython(flags_from_catalogue, migrations.RunPython.noop),
    ]

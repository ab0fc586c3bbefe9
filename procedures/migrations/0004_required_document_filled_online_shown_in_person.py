"""Two flags on a required document: the declaration the online form replaces (filled_online) and a
document only shown at the desk (shown_in_person). The schema only: a real catalogue is set by its
administrators (a demo database gets the demo catalogue's flags from ``seed_demo``)."""

from django.db import migrations, models


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
    ]

"""Announced swaps the holidays package does not carry (checked against the official announcements)."""

from datetime import date

from django.db import migrations

ANNOUNCED = [
    (date(2026, 1, 2), False, "Nghỉ bù Tết Dương lịch 2026 (Thông báo của Bộ Nội vụ)"),
    (date(2026, 1, 10), True, "Làm bù cho ngày 02/01/2026"),
]


def load(apps, schema_editor):
    CalendarDay = apps.get_model("procedures", "CalendarDay")
    for day, working, note in ANNOUNCED:
        CalendarDay.objects.get_or_create(date=day, defaults={"is_working_day": working, "note": note})


def unload(apps, schema_editor):
    apps.get_model("procedures", "CalendarDay").objects.filter(date__in=[d for d, _w, _n in ANNOUNCED]).delete()


class Migration(migrations.Migration):
    dependencies = [("procedures", "0002_working_calendar")]
    operations = [migrations.RunPython(load, unload)]

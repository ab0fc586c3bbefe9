"""``manage.py import_unit FILE``: a real unit's agencies, staff, calendar and catalogue (operations/unit_import.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.unit_import import UnitImportError, read_json, read_xlsx, template_xlsx, unit_import


class Command(BaseCommand):
    help = (
        "Import a unit's agency tree, staff and roles, calendar exceptions and catalogue from an XLSX or JSON "
        "file; all or nothing, every bad row named."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--draft", action="store_true", help="leave imported procedures as drafts")
        parser.add_argument("--template", action="store_true", help="write an empty workbook to FILE to fill in")

    def handle(self, *args, file, draft, template, **options):
        if template:
            file.write_bytes(template_xlsx())
            self.stdout.write(f"{file}: fill in the sheets, then run import_unit {file}")
            return
        try:
            raw = file.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error}") from error
        try:
            unit = read_xlsx(raw) if raw[:2] == b"PK" else read_json(raw)
            result = unit_import(unit, publish=not draft)
        except UnitImportError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"nothing imported: {len(error.problems)} problem(s) in {file.name}") from error
        for what, count in sorted(result.counts.items()):
            self.stdout.write(f"{what}: {count}")
        if result.counts.get("people created"):
            self.stdout.write("new staff set their password with “Quên mật khẩu” on the login page")

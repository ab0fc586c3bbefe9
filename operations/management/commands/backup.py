"""``manage.py backup [--to DIR]``: the database, media and signing keys into one checked folder."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database (pg_dump), the media and the signing keys, with a manifest of checksums."

    def add_arguments(self, parser):
        parser.add_argument("--to", type=Path, default=None, help="parent folder (default: BACKUP_DIR)")

    def handle(self, *args, to, **options):
        try:
            folder = backup_create(target=to or Path(settings.BACKUP_DIR))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(folder))

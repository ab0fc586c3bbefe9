"""``manage.py backup [--to DIR]``: the database, media and signing keys into one checked folder."""

import json
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
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        missing = manifest["missing_media"]
        if missing:  # the backup is made, but the database names files that were not there to save
            self.stderr.write(
                f"WARNING: {len(missing)} file(s) named by the database are not in MEDIA_ROOT "
                f"({manifest['media']['from']}), e.g. {missing[0]}; listed in the manifest"
            )
        if not manifest["signing"]["files"]:
            self.stderr.write(f"WARNING: no signing keys in SIGNING_DIR ({manifest['signing']['from']})")

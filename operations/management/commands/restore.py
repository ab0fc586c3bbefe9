"""``manage.py restore FOLDER [--force] [--check]``: a backup made by ``manage.py backup`` put back."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onestop.page_cache import public_pages_renew
from operations.backup import BackupError, backup_check, backup_restore


class Command(BaseCommand):
    help = (
        "Check a backup folder against its manifest, then restore the database, the media and the signing "
        "keys from it and check them again. Refuses to replace existing data without --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--force", action="store_true", help="replace the data that is there now")
        parser.add_argument("--check", action="store_true", help="only check the folder; change nothing")

    def handle(self, *args, folder, force, check, **options):
        try:
            if check:
                manifest = backup_check(folder)
                rows = manifest["database"]["rows"]
                self.stdout.write(
                    f"{folder}: intact ({sum(rows.values())} rows in {len(rows)} tables, "
                    f"{len(manifest['media']['files'])} media files, {len(manifest['signing']['files'])} signing files)"
                )
                return
            restored = backup_restore(folder, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        public_pages_renew()  # no copy of a public page made before the restore is served after it
        self.stdout.write(
            f"restored {sum(restored.rows.values())} rows in {len(restored.rows)} tables, "
            f"{restored.media_files} media files, {restored.signing_files} signing files; all match the backup"
        )
        if restored.unapplied_migrations:
            self.stdout.write(
                f"the backup predates {len(restored.unapplied_migrations)} migration(s) of this code: "
                "run manage.py migrate (as the owner) before starting the portal"
            )

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OnestopConfig(AppConfig):
    """The project-wide app: commands that use every app, the deploy checks on the secrets, and the
    public pages' cache (its token, ``PublicPagesVersion``)."""

    name = "onestop"

    def ready(self):
        from . import (
            checks,  # noqa: F401 (registers the system checks)
            page_cache,  # its receivers drop the public pages' copies on a catalogue write
        )

        # A migration may change what the public pages show: their copies are dropped after every migrate.
        post_migrate.connect(page_cache.migrated, sender=self, dispatch_uid="public-pages-migrated")

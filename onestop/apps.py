from django.apps import AppConfig


class OnestopConfig(AppConfig):
    """The project-wide app: commands that use every app, and the deploy checks on the secrets."""

    name = "onestop"

    def ready(self):
        from . import (
            checks,  # noqa: F401 (registers the system checks)
            page_cache,  # noqa: F401 (its receivers drop the public pages' copies on a catalogue write)
        )

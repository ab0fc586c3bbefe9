from django.apps import AppConfig
from django.conf import settings
from django.contrib.staticfiles import apps as staticfiles_apps


class OnestopConfig(AppConfig):
    """The project-wide app: commands that use every app, and the deploy checks on the secrets."""

    name = "onestop"
    default = True

    def ready(self):
        from . import checks  # noqa: F401 (registers the system checks)


class StaticFilesConfig(staticfiles_apps.StaticFilesConfig):
    """Django's static files, leaving out of every collect (``make run``, the Dockerfile, the plain
    route) what no page loads: ``settings.STATICFILES_IGNORE_PATTERNS`` beside Django's own patterns."""

    default = False

    @property
    def ignore_patterns(self):
        return [*staticfiles_apps.StaticFilesConfig.ignore_patterns, *settings.STATICFILES_IGNORE_PATTERNS]

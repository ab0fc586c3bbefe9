"""``make run`` collects the static files only when they changed (scripts/collect_static.py), and what it
leaves out of STATIC_ROOT is nothing a page loads."""

import importlib.util
import os
import re
from pathlib import Path

from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.utils import matches_patterns
from django.core.management import call_command
from django.urls import reverse

import pytest

pytestmark = pytest.mark.django_db

_spec = importlib.util.spec_from_file_location(
    "collect_static", Path(django_settings.BASE_DIR) / "scripts" / "collect_static.py"
)
collect_static = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(collect_static)


@pytest.fixture
def sources(settings, tmp_path):
    """One stylesheet as the only static source (no app folders, so a collect takes milliseconds), and an
    empty STATIC_ROOT."""
    source = tmp_path / "src"
    (source / "css").mkdir(parents=True)
    (source / "css" / "site.css").write_text("body { color: #212529; }\n" * 100)
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    }
    return source


def _touch_later(path: Path) -> None:
    """Move ``path``'s modification time on, as an edit a second later would."""
    mtime_ns = path.stat().st_mtime_ns + 1_000_000_000
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_the_first_call_collects_and_compresses(sources, settings):
    assert collect_static.static_collect_if_changed(verbose=False) is True

    collected = Path(settings.STATIC_ROOT) / "css" / "site.css"
    assert collected.read_text() == (sources / "css" / "site.css").read_text()
    assert (collected.parent / "site.css.gz").exists()


def test_a_second_call_with_nothing_changed_skips_the_collect(sources, settings):
    collect_static.static_collect_if_changed(verbose=False)
    compressed = Path(settings.STATIC_ROOT) / "css" / "site.css.gz"
    written_at = compressed.stat().st_mtime_ns

    assert collect_static.static_collect_if_changed(verbose=False) is False
    assert compressed.stat().st_mtime_ns == written_at


def test_a_file_missing_from_static_root_is_collected_again(sources, settings):
    collect_static.static_collect_if_changed(verbose=False)
    compressed = Path(settings.STATIC_ROOT) / "css" / "site.css.gz"
    compressed.unlink()

    assert collect_static.static_collect_if_changed(verbose=False) is True
    assert compressed.exists()


def test_a_changed_static_file_is_collected_again(sources, settings):
    collect_static.static_collect_if_changed(verbose=False)
    stylesheet = sources / "css" / "site.css"
    stylesheet.write_text("body { color: #000; }\n")
    _touch_later(stylesheet)

    assert collect_static.static_collect_if_changed(verbose=False) is True
    assert (Path(settings.STATIC_ROOT) / "css" / "site.css").read_text() == "body { color: #000; }\n"


def test_a_new_static_file_is_collected(sources, settings):
    collect_static.static_collect_if_changed(verbose=False)
    (sources / "css" / "print.css").write_text("@media print { nav { display: none; } }\n")

    assert collect_static.static_collect_if_changed(verbose=False) is True
    assert (Path(settings.STATIC_ROOT) / "css" / "print.css").exists()


def test_a_deleted_static_root_is_collected_again(sources, settings):
    collect_static.static_collect_if_changed(verbose=False)
    for path in sorted(Path(settings.STATIC_ROOT).rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()

    assert collect_static.static_collect_if_changed(verbose=False) is True
    assert (Path(settings.STATIC_ROOT) / "css" / "site.css").exists()


def test_other_static_settings_collect_again(sources, settings):
    collect_static.static_collect_if_changed(verbose=False)
    settings.STATICFILES_IGNORE_PATTERNS = [*settings.STATICFILES_IGNORE_PATTERNS, "print.css"]

    assert collect_static.static_collect_if_changed(verbose=False) is True


def test_an_interrupted_collect_is_not_taken_for_a_finished_one(sources, settings, monkeypatch):
    collect_static.static_collect_if_changed(verbose=False)
    stylesheet = sources / "css" / "site.css"
    stylesheet.write_text("body { color: #000; }\n")
    _touch_later(stylesheet)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(collect_static, "call_command", interrupted)
    with pytest.raises(KeyboardInterrupt):
        collect_static.static_collect_if_changed(verbose=False)
    monkeypatch.undo()
    # Put the source back as it was at the finished collect: STATIC_ROOT may still be half-written.
    stylesheet.write_text("body { color: #212529; }\n" * 100)

    assert collect_static.static_collect_if_changed(verbose=False) is True


def _static_paths_of(page: str) -> set[str]:
    prefix = (
        django_settings.STATIC_URL if django_settings.STATIC_URL.startswith("/") else "/" + django_settings.STATIC_URL
    )
    return {
        url.removeprefix(prefix) for url in re.findall(rf"""(?:src|href)=["']({re.escape(prefix)}[^"'?#]+)""", page)
    }


def test_no_page_loads_a_file_the_collect_leaves_out(client):
    """The Swagger UI (drf-spectacular-sidecar), the browsable API and the portal's own pages."""
    pages = [reverse("home"), reverse("api-docs"), reverse("admin:login")]
    loaded = set()
    for url in pages:
        loaded |= _static_paths_of(client.get(url).content.decode())
    browsable = client.get(reverse("api:procedure-list"), HTTP_ACCEPT="text/html")
    loaded |= _static_paths_of(browsable.content.decode())

    assert {
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "rest_framework/css/bootstrap.min.css",
    } <= loaded
    ignore = collect_static.static_ignore_patterns()
    left_out = {path for path in loaded if matches_patterns(path, ignore) or not finders.find(path)}
    assert left_out == set()


def test_the_production_storage_collects_without_the_files_left_out(settings, tmp_path):
    """Django's manifest storage (as production's, without the compression) refuses to collect when a
    kept stylesheet or script names a file the ignore patterns leave out."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command(
        "collectstatic", interactive=False, verbosity=0, ignore_patterns=list(settings.STATICFILES_IGNORE_PATTERNS)
    )

    collected = {path.relative_to(tmp_path / "static").as_posix() for path in (tmp_path / "static").rglob("*")}
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in collected
    assert not any(path.startswith("drf_spectacular_sidecar/redoc/") for path in collected)
    assert not any(path.startswith("fonts/DejaVu") for path in collected)

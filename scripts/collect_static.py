"""Collect the static files into STATIC_ROOT only when they changed since the last collect that finished.

    .venv/bin/python scripts/collect_static.py [--force] [--clear]

``collectstatic`` with WhiteNoise compresses every file again on every run, changed or not (most of the
time ``make run`` took). This runs it, with settings.STATICFILES_IGNORE_PATTERNS as its --ignore, only
when the fingerprint of what it would collect differs from the one the last finished collect left:

- every source file the same finders would collect, with the same ignore patterns: its path, size and
  modification time;
- the settings that shape the result: the storage, STATIC_URL, the ignore patterns, WhiteNoise's
  collect-time settings, the Django and WhiteNoise versions, whether Brotli is installed.

The fingerprint is written to STATIC_ROOT/.collect_static.json only after collectstatic succeeded,
with the size and time of every file that collect left in STATIC_ROOT, and removed before a collect
starts. A collect is skipped only when both fingerprints are the same and every listed file is still
there as it was, so an interrupted collect or a deleted or emptied STATIC_ROOT is collected again.
It runs the same ``collectstatic`` as a deploy does (with --clear only when asked), so it is as safe
there; ``--force`` collects regardless.
"""

import argparse
import hashlib
import json
import os
import sys
import time
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
STAMP_NAME = ".collect_static.json"
# The WhiteNoise settings read while collecting (the others only change how files are served).
WHITENOISE_COLLECT_SETTINGS = ("WHITENOISE_KEEP_ONLY_HASHED_FILES", "WHITENOISE_SKIP_COMPRESS_EXTENSIONS")


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def static_ignore_patterns() -> list[str]:
    """The patterns collectstatic applies: the portal's own and Django's defaults, normalised as it does."""
    patterns = [*settings.STATICFILES_IGNORE_PATTERNS, *apps.get_app_config("staticfiles").ignore_patterns]
    return sorted({os.path.normpath(pattern) for pattern in patterns})


def static_fingerprint() -> dict[str, str]:
    """Digests of the static sources collectstatic would collect and of the settings that shape STATIC_ROOT."""
    ignore_patterns = static_ignore_patterns()
    sources = []
    for finder in finders.get_finders():
        for path, storage in finder.list(ignore_patterns):
            stat = os.stat(storage.path(path))
            prefix = getattr(storage, "prefix", None) or ""
            sources.append((str(storage.location), prefix, path, stat.st_size, stat.st_mtime_ns))
    shaping = {
        "storage": settings.STORAGES["staticfiles"],
        "static_url": settings.STATIC_URL,
        "ignore_patterns": ignore_patterns,
        "whitenoise": {name: getattr(settings, name, None) for name in WHITENOISE_COLLECT_SETTINGS},
        "versions": [version("django"), version("whitenoise")],
        "brotli": find_spec("brotli") is not None,
    }
    return {"sources": _digest(sources), "settings": _digest(shaping)}


def _collected_files(static_root: Path) -> dict[str, list[int]]:
    files = {}
    for folder, _, names in os.walk(static_root):
        for name in names:
            if name.startswith(STAMP_NAME):  # the stamp, and one a crash left half-written
                continue
            path = Path(folder, name)
            stat = path.stat()
            files[path.relative_to(static_root).as_posix()] = [stat.st_size, stat.st_mtime_ns]
    return files


def _why_collect(static_root: Path, fingerprint: dict[str, str]) -> str:
    """Why STATIC_ROOT has to be collected again, or "" when it holds what a collect would make."""
    try:
        stamp = json.loads((static_root / STAMP_NAME).read_text())
    except (OSError, ValueError):
        return "no finished collect in STATIC_ROOT"
    if stamp.get("settings") != fingerprint["settings"]:
        return "the static settings changed"
    if stamp.get("sources") != fingerprint["sources"]:
        return "the static sources changed"
    for name, (size, mtime_ns) in stamp.get("files", {}).items():
        try:
            stat = (static_root / name).stat()
        except OSError:
            return f"{name} is missing from STATIC_ROOT"
        if (stat.st_size, stat.st_mtime_ns) != (size, mtime_ns):
            return f"{name} in STATIC_ROOT was changed"
    return ""


def static_collect_if_changed(*, force: bool = False, clear: bool = False, verbose: bool = True) -> bool:
    """Run collectstatic (the portal's ignore patterns, ``clear`` as --clear) unless STATIC_ROOT already
    holds what it would collect. Returns whether it collected."""
    static_root = Path(settings.STATIC_ROOT)
    fingerprint = static_fingerprint()
    why = "asked to (--force)" if force else _why_collect(static_root, fingerprint)
    if not why:
        if verbose:
            print("Static files unchanged since the last collect: kept.")
        return False
    if verbose:
        print(f"Collecting and compressing the static files ({why})...", flush=True)
    started = time.perf_counter()
    # Until this collect has finished, STATIC_ROOT must not pass for collected.
    (static_root / STAMP_NAME).unlink(missing_ok=True)
    call_command(
        "collectstatic",
        interactive=False,
        verbosity=0,
        clear=clear,
        ignore_patterns=list(settings.STATICFILES_IGNORE_PATTERNS),
    )
    stamp = {**fingerprint, "files": _collected_files(static_root)}
    static_root.mkdir(parents=True, exist_ok=True)
    partial = static_root / f"{STAMP_NAME}.partial"
    partial.write_text(json.dumps(stamp))
    partial.replace(static_root / STAMP_NAME)
    if verbose:
        print(f"Static files collected in {time.perf_counter() - started:.1f} s.")
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--force", action="store_true", help="collect even when nothing changed")
    parser.add_argument("--clear", action="store_true", help="empty STATIC_ROOT first (collectstatic --clear)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")
    django.setup()
    static_collect_if_changed(force=args.force, clear=args.clear)


if __name__ == "__main__":
    main()

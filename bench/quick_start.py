"""Benchmark: how long ``make run`` takes to serve again, and what STATIC_ROOT holds (issue 18, quick starts).

    .venv/bin/python bench/quick_start.py [--make-run] [--port 8861]

The static step alone, each into its own temporary STATIC_ROOT, run twice as ``make run`` runs it twice:
before, ``manage.py collectstatic`` (everything, recompressed every time); after,
``scripts/collect_static.py --clear`` (settings.STATICFILES_IGNORE_PATTERNS left out, collected only when
something changed). Prints the seconds of each run, the files and megabytes each STATIC_ROOT ends with,
and the largest files left out.

With ``--make-run``, also ``make run`` itself in a temporary copy of this working tree (its own database
and STATIC_ROOT under its own var/, this checkout's virtualenv): the seconds until it prints "The portal
is at" and until the home page answers, on a first run (demo data made) and a second, then a second run
again with the old static step (plain collectstatic) put back into the copy's Makefile. The server is
stopped after each run.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
NEW_STEP = "$(PY) scripts/collect_static.py --clear"
OLD_STEP = "$(PY) manage.py collectstatic --noinput --verbosity 0"
# The portal's own environment stays out of the copies: each uses the embedded default under its var/.
PORTAL_ENVIRONMENT = ("STATIC_ROOT", "MEDIA_ROOT", "DATABASE_URL", "CACHE_URL", "REDIS_URL", "ONESTOP_ENV_FILE")


def _environment(**extra: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key not in PORTAL_ENVIRONMENT}
    return {**environment, **extra}


def _timed(command: list[str], *, static_root: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=_environment(STATIC_ROOT=str(static_root)), check=True, capture_output=True)
    return time.perf_counter() - started


def _files(static_root: Path) -> dict[str, int]:
    return {
        path.relative_to(static_root).as_posix(): path.stat().st_size
        for path in static_root.rglob("*")
        if path.is_file() and not path.name.startswith(".collect_static")
    }


def _megabytes(files: dict[str, int]) -> str:
    return f"{len(files)} files, {sum(files.values()) / 1e6:.1f} MB"


def static_step(workdir: Path) -> list[tuple[str, str, str]]:
    before_root, after_root = workdir / "before", workdir / "after"
    plain = [str(PYTHON), "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
    fingerprinted = [str(PYTHON), "scripts/collect_static.py", "--clear"]
    before = [_timed(plain, static_root=before_root) for _ in range(2)]
    after = [_timed(fingerprinted, static_root=after_root) for _ in range(2)]
    before_files, after_files = _files(before_root), _files(after_root)

    left_out = sorted(set(before_files) - set(after_files), key=lambda name: -before_files[name])
    print(f"Left out: {_megabytes({name: before_files[name] for name in left_out})}; the largest:")
    for name in left_out[:12]:
        print(f"  {before_files[name] / 1e6:6.2f} MB  {name}")
    return [
        ("static step, first run", f"{before[0]:.1f} s", f"{after[0]:.1f} s"),
        ("static step, second run", f"{before[1]:.1f} s", f"{after[1]:.1f} s"),
        ("STATIC_ROOT", _megabytes(before_files), _megabytes(after_files)),
    ]


def _copy_of_this_tree(target: Path) -> Path:
    """This working tree, uncommitted work included, with the modification times kept (so make sees the
    virtualenv as installed) and without its virtualenv, database and collected files."""
    ignored = shutil.ignore_patterns(".git", ".venv", "var", ".env", "__pycache__", ".*_cache", ".hypothesis")
    shutil.copytree(ROOT, target, ignore=ignored, copy_function=shutil.copy2)
    return target


def _make_run(copy: Path, *, port: int) -> tuple[float, float]:
    """Seconds until ``make run`` prints "The portal is at" and until the home page answers; then stops it."""
    command = ["make", "run", f"PORT={port}", f"VENV={ROOT / '.venv'}"]
    started = time.perf_counter()
    server = subprocess.Popen(
        command, cwd=copy, env=_environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        for line in server.stdout:
            if "The portal is at" in line:
                announced = time.perf_counter() - started
                break
        else:
            raise RuntimeError(f"make run ended ({server.wait()}) without serving")
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                    break
            except OSError:
                time.sleep(0.05)
        return announced, time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # make, its shell and runserver: the session started above
        server.wait()


def make_run(workdir: Path, *, port: int) -> list[tuple[str, str, str]]:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            sys.exit(f"Port {port} is taken: choose another with --port.")
    copy = _copy_of_this_tree(workdir / "portal")
    makefile = copy / "Makefile"
    if NEW_STEP not in makefile.read_text():
        sys.exit("The Makefile's run target no longer has the step this benchmark replaces.")
    first = _make_run(copy, port=port)
    second = _make_run(copy, port=port)
    makefile.write_text(makefile.read_text().replace(NEW_STEP, OLD_STEP))
    old_second = _make_run(copy, port=port)
    return [
        ('make run, first run (demo data made): "The portal is at"', "", f"{first[0]:.1f} s"),
        ('make run, second run: "The portal is at"', f"{old_second[0]:.1f} s", f"{second[0]:.1f} s"),
        ("make run, second run: the home page answers", f"{old_second[1]:.1f} s", f"{second[1]:.1f} s"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--make-run", action="store_true", help="also time make run in a copy of this tree")
    parser.add_argument("--port", type=int, default=8861, help="the port make run serves on (default 8861)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="onestop-quick-start-") as workdir:
        rows = static_step(Path(workdir))
        if args.make_run:
            rows += make_run(Path(workdir), port=args.port)
    width = max(len(row[0]) for row in rows)
    print(f"\n{'':{width}}  {'before':>24}  {'after':>24}")
    for label, before, after in rows:
        print(f"{label:{width}}  {before:>24}  {after:>24}")


if __name__ == "__main__":
    main()

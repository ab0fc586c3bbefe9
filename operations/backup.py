"""Backup and restore of everything the portal cannot rebuild: the PostgreSQL database, the media (every
uploaded document, slip and signed result) and the signing keys.

A backup is one folder ``<BACKUP_DIR>/<YYYYMMDD-HHMMSS>/`` with ``database.dump`` (``pg_dump -Fc``),
``media.tar``, ``signing.tar`` and ``manifest.json``: the SHA-256 of each of the three files and of every
file inside the archives, the row count of every table and the migrations applied. The rows are counted
in the very snapshot the dump is taken from (``pg_dump --snapshot``), so the manifest describes exactly
what the dump holds; the files are archived after it, so every file a dumped row names is there (files
are written before their rows commit), and any that is missing is listed in the manifest.

``backup_check`` verifies a folder against its manifest; ``backup_restore`` verifies first and changes
nothing if anything differs, unpacks the media and keys beside the live ones and checks every file, then
restores the database in one transaction (as the owner role when ``DATABASE_OWNER_URL`` is set) and only
then puts the files in place by renames, and checks the restored rows against the manifest. Stop the
portal's processes while it runs. The keys' archive is as secret as the keys: store backups as you store them.
"""

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

import environ

FORMAT = 1
DATABASE, MEDIA, SIGNING, MANIFEST = "database.dump", "media.tar", "signing.tar", "manifest.json"
CHUNK = 1024 * 1024
# A restore's working folders inside the target folder (a rename there works on a mount point too);
# never part of a backup, should one be left by a restore that was cut off.
STAGED, REPLACED = ".restoring", ".replaced"


class BackupError(Exception):
    """A backup that cannot be made, or a folder that does not match its manifest."""


@dataclass
class Restored:
    rows: dict = field(default_factory=dict)
    media_files: int = 0
    signing_files: int = 0
    unapplied_migrations: list = field(default_factory=list)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _Hashing(io.RawIOBase):
    """A file read once: by the archive, while its SHA-256 is computed."""

    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.handle.read(len(buffer))
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)


def _archive(source: Path, target: Path) -> dict[str, str]:
    """``source``'s files into the tar ``target`` (paths relative to it, in sorted order); returns each
    file's SHA-256."""
    hashes: dict[str, str] = {}
    with tarfile.open(target, "w") as tar:
        if source.is_dir():
            for path in sorted(p for p in source.rglob("*") if p.is_file() and not p.is_symlink()):
                name = path.relative_to(source).as_posix()
                if name.split("/", 1)[0] in (STAGED, REPLACED):
                    continue
                info = tar.gettarinfo(str(path), arcname=name)
                with open(path, "rb") as handle:
                    reader = _Hashing(handle)
                    tar.addfile(info, reader)
                hashes[name] = reader.digest.hexdigest()
    return hashes


def _server() -> dict:
    """How to reach the database for pg_dump and pg_restore: the owner role when configured (it owns
    what a restore recreates), else the portal's own connection."""
    owner = os.environ.get("DATABASE_OWNER_URL")
    config = environ.Env.db_url_config(owner) if owner else settings.DATABASES["default"]
    return {
        "host": config.get("HOST") or "",
        "port": str(config.get("PORT") or ""),
        "user": config.get("USER") or "",
        "password": config.get("PASSWORD") or "",
        "name": config["NAME"],
    }


def _libpq(server: dict) -> tuple[list[str], dict]:
    args = ["--dbname", server["name"]]
    for option, key in (("--host", "host"), ("--port", "port"), ("--username", "user")):
        if server[key]:
            args += [option, server[key]]
    env = {**os.environ}
    if server["password"]:
        env["PGPASSWORD"] = server["password"]  # not on the command line, where `ps` shows it
    return args, env


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise BackupError(
            "backup and restore work on PostgreSQL (production); the embedded SQLite database is the file "
            f"{settings.DATABASES['default']['NAME']}: copy it while the portal is stopped"
        )


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _rows(tables: list[str]) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from the catalogue
            counts[table] = cursor.fetchone()[0]
    return counts


def _referenced_files() -> set[str]:
    """Every file name a row's file field holds (the media a restored database needs)."""
    names: set[str] = set()
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if isinstance(model_field, models.FileField):
                values = model._default_manager.exclude(**{model_field.name: ""}).exclude(
                    **{f"{model_field.name}__isnull": True}
                )
                names.update(values.values_list(model_field.name, flat=True))
    return names


def _migrations() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def backup_create(*, target: Path) -> Path:
    """Make a backup folder under ``target``; returns it."""
    _require_postgresql()
    if connection.in_atomic_block:
        raise BackupError("a backup takes its own snapshot: call it outside a transaction")
    folder = Path(target) / timezone.localtime().strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=False)
    folder.chmod(0o700)
    server = _server()
    args, env = _libpq(server)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        tables = _tables()
        rows, referenced, migrations = _rows(tables), _referenced_files(), _migrations()
        dump = subprocess.run(  # noqa: S603 - fixed arguments; the database's own settings
            [  # noqa: S607 - PostgreSQL's client from the PATH, of the server's major version
                "pg_dump",
                *args,
                "--format",
                "custom",
                "--snapshot",
                snapshot,
                "--file",
                str(folder / DATABASE),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if dump.returncode != 0:
            raise BackupError(f"pg_dump failed: {dump.stderr.strip()}")
    media_root, signing_dir = Path(settings.MEDIA_ROOT), Path(settings.SIGNING_DIR)
    media = _archive(media_root, folder / MEDIA)
    signing = _archive(signing_dir, folder / SIGNING)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {"file": DATABASE, "sha256": _sha256(folder / DATABASE), "rows": rows, "migrations": migrations},
        "media": {"file": MEDIA, "sha256": _sha256(folder / MEDIA), "files": media, "from": str(media_root)},
        "signing": {"file": SIGNING, "sha256": _sha256(folder / SIGNING), "files": signing, "from": str(signing_dir)},
        "missing_media": sorted(referenced - set(media)),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    for path in folder.iterdir():
        path.chmod(0o600)
    return folder


def backup_check(folder: Path) -> dict:
    """The folder's manifest, after checking every file against it; raises ``BackupError`` naming what
    differs."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"no readable {MANIFEST} in {folder}: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    problems = []
    for part in ("database", "media", "signing"):
        path = folder / manifest[part]["file"]
        if not path.is_file():
            problems.append(f"{path.name} is missing")
        elif _sha256(path) != manifest[part]["sha256"]:
            problems.append(f"{path.name} does not match its checksum (damaged or changed)")
    for part in ("media", "signing"):
        path = folder / manifest[part]["file"]
        if path.is_file() and not problems:
            with tarfile.open(path) as tar:
                names = {member.name for member in tar.getmembers() if member.isfile()}
            if names != set(manifest[part]["files"]):
                problems.append(f"{path.name} does not hold the files its manifest lists")
    if problems:
        raise BackupError("; ".join(problems))
    return manifest


def _is_empty(path: Path) -> bool:
    return not path.exists() or not any(child.name not in (STAGED, REPLACED) for child in path.iterdir())


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _portal_rows() -> int:
    """Rows of the portal's own data (not Django's bookkeeping) in the current database."""
    tables = [t for t in _tables() if not t.startswith("django_") and t != "auth_permission"]
    return sum(_rows(tables).values())


def _stage(archive: Path, target: Path, expected: dict[str, str]) -> Path:
    """The archive unpacked into ``target/.restoring`` and checked file by file; the live files are not
    touched yet. Run as root, the files get the folder's owner (the portal's user), not root."""
    target.mkdir(parents=True, exist_ok=True)
    staged = target / STAGED
    _remove(staged)
    staged.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(staged, filter="data")
    wrong = [
        name for name, digest in expected.items() if not (staged / name).is_file() or _sha256(staged / name) != digest
    ]
    if wrong:
        _remove(staged)
        raise BackupError(f"{len(wrong)} unpacked file(s) differ from the backup, e.g. {wrong[0]}; nothing was changed")
    if os.geteuid() == 0:
        owner = target.stat()
        for path in [staged, *staged.rglob("*")]:
            os.chown(path, owner.st_uid, owner.st_gid, follow_symlinks=False)
    return staged


def _swap(target: Path, staged: Path) -> None:
    """Put the staged files in place of the live ones: renames inside ``target``, then the old ones gone."""
    replaced = target / REPLACED
    _remove(replaced)
    replaced.mkdir()
    for child in list(target.iterdir()):
        if child.name not in (STAGED, REPLACED):
            child.rename(replaced / child.name)
    for child in list(staged.iterdir()):
        child.rename(target / child.name)
    staged.rmdir()
    _remove(replaced)


def backup_restore(folder: Path, *, force: bool = False) -> Restored:
    """Restore ``folder`` over the current database, media and keys. Without ``force`` it refuses when
    the database holds any of the portal's rows or the media or keys folder holds files."""
    _require_postgresql()
    manifest = backup_check(folder)
    folder = Path(folder)
    media_root, signing_dir = Path(settings.MEDIA_ROOT), Path(settings.SIGNING_DIR)
    if not force:
        occupied = [str(path) for path in (media_root, signing_dir) if not _is_empty(path)]
        if _portal_rows():
            occupied.insert(0, "the database")
        if occupied:
            raise BackupError(f"{', '.join(occupied)} already hold data: restore with --force to replace it")
    # The files first, beside the live ones and checked: a full disk or a bad archive stops here, before
    # the database is touched.
    staged = {}
    try:
        for part, target in (("media", media_root), ("signing", signing_dir)):
            staged[part] = _stage(folder / manifest[part]["file"], target, manifest[part]["files"])
    except Exception:
        for path in staged.values():
            _remove(path)
        raise
    server = _server()
    args, env = _libpq(server)
    connection.close()  # the restore replaces the tables under any open connection
    restore = subprocess.run(  # noqa: S603 - fixed arguments; the database's own settings
        [  # noqa: S607 - PostgreSQL's client from the PATH
            "pg_restore",
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            str(folder / manifest["database"]["file"]),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if restore.returncode != 0:
        for path in staged.values():
            _remove(path)
        raise BackupError(f"pg_restore failed (nothing was changed): {restore.stderr.strip()}")
    # The database is the backup's now: the files follow at once, by renames.
    _swap(media_root, staged["media"])
    _swap(signing_dir, staged["signing"])
    signing_dir.chmod(0o700)
    rows = _rows(sorted(manifest["database"]["rows"]))
    if rows != manifest["database"]["rows"]:
        different = [t for t in rows if rows[t] != manifest["database"]["rows"][t]]
        raise BackupError(f"restored row counts differ from the backup in {', '.join(different)}")
    result = Restored(rows=rows)
    result.media_files, result.signing_files = len(manifest["media"]["files"]), len(manifest["signing"]["files"])
    from django.db.migrations.loader import MigrationLoader

    applied = set(manifest["database"]["migrations"])
    known = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    result.unapplied_migrations = sorted(known - applied)
    return result

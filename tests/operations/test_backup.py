"""The backup drill on the real PostgreSQL: dossiers with their files and a signed result → backup → wipe
(database schema, media, signing keys) → restore → the same rows, byte-identical files, and the signed
result still judged valid by pyHanko's own validator with the restored authority certificate. A damaged
backup, or a restore over live data, changes nothing."""

import hashlib
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection

import pytest

from dossiers.models import Attachment, Dossier, DossierEvent, Notification
from dossiers.services import dossier_complete, dossier_hand_over, dossier_receive
from tests.dossiers.conftest import allowance, citizen, district, network, pki, real_pdf, submit_online  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PYHANKO = Path(sys.executable).with_name("pyhanko")


def files(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def counts() -> dict[str, int]:
    return {
        "dossiers": Dossier.objects.count(),
        "events": DossierEvent.objects.count(),
        "attachments": Attachment.objects.count(),
        "notifications": Notification.objects.count(),
    }


def validate(pdf: Path, ca: Path) -> subprocess.CompletedProcess:
    command = [str(PYHANKO), "sign", "validate", "--pretty-print", "--no-revocation-check", "--trust", str(ca)]
    return subprocess.run([*command, str(pdf)], capture_output=True, text=True, timeout=120)


@pytest.fixture
def work(pki, citizen, network, allowance):  # noqa: F811
    """Three dossiers with uploads; one through to a signed electronic result."""
    for _ in range(2):
        submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier = dossier_receive(dossier=dossier, by=network["clerk"]).dossier
    dossier = dossier_hand_over(
        dossier=dossier, by=network["clerk"], to_agency=network["commune"], to_user=network["clerk"], reason="Tự xử lý"
    ).dossier
    upload = SimpleUploadedFile("quyet-dinh.pdf", real_pdf(), content_type="application/pdf")
    dossier_complete(dossier=dossier, by=network["clerk"], results=[upload])
    result = Attachment.objects.get(dossier=dossier, is_result=True)
    assert result.signed_at
    return result


def wipe() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")
    for folder in (Path(settings.MEDIA_ROOT), Path(settings.SIGNING_DIR)):
        for path in sorted(folder.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()


def test_backup_wipe_restore_gives_back_every_row_and_file_and_the_signature_still_validates(work, tmp_path):
    before, media, keys = counts(), files(Path(settings.MEDIA_ROOT)), files(Path(settings.SIGNING_DIR))
    assert before["dossiers"] == 3 and before["attachments"] >= 4 and len(media) >= 4
    assert any(name.endswith(".key.pem") for name in keys)
    signed = Path(settings.MEDIA_ROOT) / work.file.name
    out = StringIO()
    call_command("backup", to=tmp_path / "backups", stdout=out)
    folder = next((tmp_path / "backups").iterdir())
    assert out.getvalue().strip() == str(folder)
    assert sorted(path.name for path in folder.iterdir()) == [
        "database.dump",
        "manifest.json",
        "media.tar",
        "signing.tar",
    ]
    assert oct(folder.stat().st_mode & 0o777) == "0o700"  # the keys are inside

    wipe()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert cursor.fetchone()[0] == 0
    assert not files(Path(settings.MEDIA_ROOT)) and not files(Path(settings.SIGNING_DIR))

    out = StringIO()
    call_command("restore", str(folder), stdout=out)
    assert "all match the backup" in out.getvalue()
    assert counts() == before
    assert files(Path(settings.MEDIA_ROOT)) == media  # byte-identical, every file
    assert files(Path(settings.SIGNING_DIR)) == keys
    assert oct(Path(settings.SIGNING_DIR).stat().st_mode & 0o777) == "0o700"
    restored = Attachment.objects.get(pk=work.pk)
    assert hashlib.sha256(signed.read_bytes()).hexdigest() == restored.sha256
    check = validate(signed, Path(settings.SIGNING_DIR) / "ca.cert.pem")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "judged VALID" in check.stdout and "covers the entire file" in check.stdout
    # The restored history is append-only again (its triggers came back with it).
    with pytest.raises(IntegrityError, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE dossiers_dossierevent SET id = id")


def test_a_damaged_backup_is_refused_before_anything_changes(work, tmp_path):
    call_command("backup", to=tmp_path / "backups", stdout=StringIO())
    folder = next((tmp_path / "backups").iterdir())
    archive = folder / "media.tar"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    before, media = counts(), files(Path(settings.MEDIA_ROOT))
    with pytest.raises(CommandError, match=r"media\.tar does not match its checksum"):
        call_command("restore", str(folder), "--check", stdout=StringIO())
    with pytest.raises(CommandError, match=r"media\.tar does not match its checksum"):
        call_command("restore", str(folder), "--force", stdout=StringIO())
    assert counts() == before and files(Path(settings.MEDIA_ROOT)) == media  # nothing was touched


def test_a_restore_over_live_data_needs_force(work, tmp_path):
    call_command("backup", to=tmp_path / "backups", stdout=StringIO())
    folder = next((tmp_path / "backups").iterdir())
    submit_online(citizen=work.dossier.applicant, version=work.dossier.procedure_version, agency=work.dossier.agency)
    with pytest.raises(CommandError, match="already hold data: restore with --force"):
        call_command("restore", str(folder), stdout=StringIO())
    assert Dossier.objects.count() == 4  # nothing replaced
    call_command("restore", str(folder), "--force", stdout=StringIO())
    assert Dossier.objects.count() == 3  # the backup's state, the later dossier gone as asked


def test_a_backup_says_when_files_the_database_names_are_missing(work, tmp_path):
    lost = Path(settings.MEDIA_ROOT) / work.file.name
    lost.unlink()
    errors = StringIO()
    call_command("backup", to=tmp_path / "backups", stdout=StringIO(), stderr=errors)
    assert "WARNING: 1 file(s) named by the database are not in MEDIA_ROOT" in errors.getvalue()
    manifest = (next((tmp_path / "backups").iterdir()) / "manifest.json").read_text()
    assert work.file.name in manifest


def test_a_restore_the_database_refuses_leaves_the_live_files_as_they_were(work, tmp_path):
    from unittest import mock

    call_command("backup", to=tmp_path / "backups", stdout=StringIO())
    folder = next((tmp_path / "backups").iterdir())
    submit_online(citizen=work.dossier.applicant, version=work.dossier.procedure_version, agency=work.dossier.agency)
    before, media = counts(), files(Path(settings.MEDIA_ROOT))
    refused = subprocess.CompletedProcess(args=[], returncode=1, stdout="", stderr="pg_restore: error: disk full")
    with (
        mock.patch("operations.backup.subprocess.run", return_value=refused),
        pytest.raises(CommandError, match="nothing was changed"),
    ):
        call_command("restore", str(folder), "--force", stdout=StringIO())
    assert counts() == before and files(Path(settings.MEDIA_ROOT)) == media  # no staged leftovers either

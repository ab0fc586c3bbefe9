"""The portal's database roles on the real PostgreSQL: the owner migrates, the application role runs the
portal (the demo data is written through it) but cannot TRUNCATE, ALTER, DROP, create a table or
disable a trigger; and nobody, the owner included, can empty or rewrite the dossier history."""

import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

import psycopg2
import pytest
from psycopg2 import errors

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]


def url(user, password, database):
    server = settings.DATABASES["default"]
    host, port = server.get("HOST") or "127.0.0.1", server.get("PORT") or 5432
    credentials = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{credentials}{host}:{port}/{database}"


def manage(*args, database_url, **extra):
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "onestop.settings", **extra}
    run = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    return run.stdout


def refused(connection, statement, error=errors.InsufficientPrivilege):
    with connection.cursor() as cursor, pytest.raises(error):
        cursor.execute(statement)


@pytest.fixture
def portal_database():
    """A new database with its two roles, migrated by the owner; dropped afterwards with its roles."""
    server = settings.DATABASES["default"]
    admin = url(server.get("USER") or "postgres", server.get("PASSWORD"), "postgres")
    tag = uuid.uuid4().hex[:8]
    owner_role, app_role, name = f"onestop_owner_{tag}", f"onestop_app_{tag}", f"onestop_roles_{tag}"
    owner, app = url(owner_role, "owner-secret", name), url(app_role, "app-secret", name)
    call_command("db_roles", admin_url=admin, owner_url=owner, app_url=app, stdout=io.StringIO())
    try:
        yield {"admin": admin, "owner": owner, "app": app, "name": name, "owner_role": owner_role, "app_role": app_role}
    finally:
        cleanup = psycopg2.connect(
            dbname="postgres",
            user=server.get("USER") or "postgres",
            host=server.get("HOST") or "127.0.0.1",
            port=server.get("PORT") or 5432,
        )
        cleanup.autocommit = True
        with cleanup.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'DROP ROLE IF EXISTS "{app_role}"')
            cursor.execute(f'DROP ROLE IF EXISTS "{owner_role}"')
        cleanup.close()


def connect(database_url):
    config = __import__("environ").Env.db_url_config(database_url)
    connection = psycopg2.connect(
        dbname=config["NAME"],
        user=config["USER"],
        password=config["PASSWORD"],
        host=config["HOST"],
        port=config["PORT"],
    )
    connection.autocommit = True
    return connection


def test_the_owner_migrates_the_application_runs_the_portal_and_can_touch_rows_only(portal_database):
    manage("migrate", "--noinput", database_url=portal_database["owner"])
    manage("seed_demo", database_url=portal_database["app"])  # every table written through the app role
    app = connect(portal_database["app"])
    with app.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_agency")
        assert cursor.fetchone()[0] > 10
        cursor.execute("SELECT current_user, pg_has_role(current_user, %s, 'MEMBER')", [portal_database["owner_role"]])
        assert cursor.fetchone() == (portal_database["app_role"], False)
    refused(app, "TRUNCATE dossiers_dossierevent")
    refused(app, "TRUNCATE accounts_agency CASCADE")
    refused(app, "ALTER TABLE dossiers_dossierevent DISABLE TRIGGER dossier_event_append_only")
    refused(app, "ALTER TABLE dossiers_dossierevent DISABLE TRIGGER ALL")
    refused(app, "ALTER TABLE dossiers_dossier ADD COLUMN extra text")
    refused(app, "DROP TABLE dossiers_dossierevent")
    refused(app, "DROP TRIGGER dossier_event_no_truncate ON dossiers_dossierevent")
    refused(app, "CREATE TABLE scratch (id int)")
    refused(app, "SET session_replication_role = replica")  # the way past triggers is a superuser's
    app.close()


def test_nobody_empties_or_rewrites_the_history_not_even_the_owner(portal_database):
    manage("migrate", "--noinput", database_url=portal_database["owner"])
    owner = connect(portal_database["owner"])
    refused(owner, "TRUNCATE dossiers_dossierevent CASCADE", errors.RestrictViolation)
    refused(owner, "TRUNCATE dossiers_dossier CASCADE", errors.RestrictViolation)  # the cascade reaches it
    owner.close()


def test_running_it_again_repairs_a_table_someone_else_created(portal_database):
    """Also an install from before the roles, whose one role becomes the application's: what it owned
    (a table, the history's trigger function) passes to the owner, so it cannot drop them."""
    admin = connect(portal_database["admin"].rsplit("/", 1)[0] + "/" + portal_database["name"])
    app_role = portal_database["app_role"]
    with admin.cursor() as cursor:
        cursor.execute("CREATE TABLE made_by_admin (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)")
        cursor.execute("CREATE FUNCTION guard() RETURNS trigger AS $$ BEGIN RETURN NULL; END $$ LANGUAGE plpgsql")
        cursor.execute(f'ALTER FUNCTION guard() OWNER TO "{app_role}"')
        cursor.execute("CREATE TABLE old_table (id int)")
        cursor.execute(f'ALTER TABLE old_table OWNER TO "{app_role}"')
        cursor.execute(f'GRANT CREATE ON SCHEMA public TO "{app_role}"')
        cursor.execute(f'ALTER ROLE "{app_role}" REPLICATION BYPASSRLS')  # as the old install's superuser had
    call_command(
        "db_roles",
        admin_url=portal_database["admin"],
        owner_url=portal_database["owner"],
        app_url=portal_database["app"],
        stdout=io.StringIO(),
    )
    with admin.cursor() as cursor:
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'made_by_admin'")
        assert cursor.fetchone()[0] == portal_database["owner_role"]
    admin.close()
    app = connect(portal_database["app"])
    with app.cursor() as cursor:
        cursor.execute("INSERT INTO made_by_admin DEFAULT VALUES RETURNING id")
        assert cursor.fetchone()[0] == 1
    refused(app, "TRUNCATE made_by_admin")
    refused(app, "DROP FUNCTION guard() CASCADE")
    refused(app, "DROP TABLE old_table")
    refused(app, "CREATE TABLE scratch (id int)")
    with app.cursor() as cursor:
        cursor.execute("SELECT rolreplication, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)
    app.close()


def test_it_refuses_one_role_for_both_and_names_what_is_missing():
    from django.core.management.base import CommandError

    same = "postgres://onestop:pw@127.0.0.1:5432/onestop"
    with pytest.raises(CommandError, match="two different roles"):
        call_command("db_roles", admin_url=same, owner_url=same, app_url=same)
    with pytest.raises(CommandError, match="--admin-url"):
        call_command("db_roles", admin_url="", owner_url=same, app_url=same)


def test_backed_up_by_the_application_restored_by_the_owner_and_the_portal_still_runs(portal_database, tmp_path):
    """The production routine: the portal's role takes the backup, the owner restores it (it owns
    what the restore recreates), and the application role has its rows, and only its rows, again."""
    manage("migrate", "--noinput", database_url=portal_database["owner"])
    manage("seed_demo", database_url=portal_database["app"])
    places = {"MEDIA_ROOT": str(tmp_path / "media"), "SIGNING_DIR": str(tmp_path / "signing")}
    folder = manage("backup", "--to", str(tmp_path / "backups"), database_url=portal_database["app"], **places).strip()
    app = connect(portal_database["app"])
    with app.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_user")
        users = cursor.fetchone()[0]
        cursor.execute("DELETE FROM accounts_staffmembership")  # a mistake the backup undoes
    out = manage(
        "restore",
        folder,
        "--force",
        database_url=portal_database["app"],
        DATABASE_OWNER_URL=portal_database["owner"],
        **places,
    )
    assert "all match the backup" in out
    with app.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_user")
        assert cursor.fetchone()[0] == users
        cursor.execute("SELECT count(*) FROM accounts_staffmembership")
        assert cursor.fetchone()[0] > 0
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'dossiers_dossierevent'")
        assert cursor.fetchone()[0] == portal_database["owner_role"]
        cursor.execute("INSERT INTO dossiers_heartbeat (name, at) VALUES ('restored', now()) RETURNING id")
        assert cursor.fetchone()[0] > 0
    refused(app, "TRUNCATE dossiers_dossierevent CASCADE")
    refused(app, "ALTER TABLE dossiers_dossierevent DISABLE TRIGGER ALL")
    app.close()

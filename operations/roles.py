"""The portal's two PostgreSQL roles: the owner, which owns the database, its schema and every table and
runs the migrations; and the application role, which the web, worker and beat connect as, and which may
read and write rows but not TRUNCATE, ALTER, DROP, create tables or disable a trigger (all of those
need ownership or a privilege it is never given). Tables the owner creates later (a migration) are
granted to the application role by default privileges, so a new table needs no manual step.

``role_statements`` says what is done, ``roles_apply`` does it with an administrator's connection (a
superuser, or a role with CREATEROLE and CREATEDB); running it again changes nothing, or repairs what
drifted (a password, a table created by someone else)."""

import re
from dataclasses import dataclass

import environ
import psycopg2
from psycopg2 import sql

# What the application role may do with rows; TRUNCATE, REFERENCES and TRIGGER are never granted.
TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE_PRIVILEGES = "USAGE, SELECT"


class RolesError(ValueError):
    """The URLs do not describe two distinct roles of one PostgreSQL database."""


@dataclass(frozen=True)
class Connection:
    user: str
    password: str
    host: str
    port: int
    database: str

    @classmethod
    def from_url(cls, url: str) -> "Connection":
        config = environ.Env.db_url_config(url)
        if config.get("ENGINE") != "django.db.backends.postgresql":
            raise RolesError(f"not a PostgreSQL URL: {url.split('@')[-1]}")
        return cls(
            user=config.get("USER") or "",
            password=config.get("PASSWORD") or "",
            host=config.get("HOST") or "",
            port=int(config.get("PORT") or 5432),
            database=config.get("NAME") or "",
        )

    def connect(self, database: str | None = None):
        connection = psycopg2.connect(
            dbname=database or self.database,
            user=self.user,
            password=self.password or None,
            host=self.host or None,
            port=self.port,
        )
        connection.autocommit = True
        return connection


def _check(owner: Connection, app: Connection) -> None:
    if not owner.user or not app.user:
        raise RolesError("both URLs must name their role (postgres://ROLE:PASSWORD@host:port/database)")
    if owner.user == app.user:
        raise RolesError("the owner and the application must be two different roles")
    if (owner.database, owner.host, owner.port) != (app.database, app.host, app.port):
        raise RolesError("the owner and the application URLs must point at the same database")
    if not owner.password or not app.password:
        raise RolesError("give both roles a password in their URLs")


def cluster_statements(owner: Connection, app: Connection, *, database_exists: bool) -> list[sql.Composed]:
    """Run in the administrator's database: the roles with their passwords, the database owned by the
    owner."""
    statements = []
    plain = "LOGIN NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS"  # a former superuser keeps none of it
    for role, attributes in ((owner, plain), (app, plain + " NOCREATEDB")):
        statements.append(
            sql.SQL(
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {name}) THEN "
                "CREATE ROLE {role}; END IF; END $$"
            ).format(name=sql.Literal(role.user), role=sql.Identifier(role.user))
        )
        statements.append(
            sql.SQL("ALTER ROLE {role} " + attributes + " PASSWORD {password}").format(
                role=sql.Identifier(role.user), password=sql.Literal(role.password)
            )
        )
    statements.append(
        sql.SQL("REVOKE {owner} FROM {app}").format(owner=sql.Identifier(owner.user), app=sql.Identifier(app.user))
    )
    database, owner_role = sql.Identifier(owner.database), sql.Identifier(owner.user)
    if database_exists:
        statements.append(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(database, owner_role))
    else:
        statements.append(sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8'").format(database, owner_role))
    statements += [
        sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(database),
        sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(database, sql.Identifier(app.user)),
    ]
    return statements


def database_statements(owner: Connection, app: Connection, *, foreign: list[tuple[str, str]]) -> list[sql.Composed]:
    """Run in the portal's database: the schema and everything in it owned by the owner (``foreign``:
    (kind, name) of objects some other role owns), rows granted to the application, now and for
    tables the owner creates later."""
    owner_role, app_role = sql.Identifier(owner.user), sql.Identifier(app.user)
    statements = [
        # What the application role owns (an install from before the roles, whose one role becomes the
        # application's): tables, sequences, the history's trigger function, all of it.
        sql.SQL("REASSIGN OWNED BY {} TO {}").format(app_role, owner_role),
        sql.SQL("ALTER SCHEMA public OWNER TO {}").format(owner_role),
        sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"),
        sql.SQL("REVOKE CREATE ON SCHEMA public FROM {}").format(app_role),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(app_role),
    ]
    for kind, name in foreign:
        statements.append(
            sql.SQL("ALTER {} public.{} OWNER TO {}").format(sql.SQL(kind), sql.Identifier(name), owner_role)
        )
    statements += [
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(app_role),
        sql.SQL("GRANT " + TABLE_PRIVILEGES + " ON ALL TABLES IN SCHEMA public TO {}").format(app_role),
        sql.SQL("GRANT " + SEQUENCE_PRIVILEGES + " ON ALL SEQUENCES IN SCHEMA public TO {}").format(app_role),
        sql.SQL("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {}").format(app_role),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT " + TABLE_PRIVILEGES + " ON TABLES TO {}"
        ).format(owner_role, app_role),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT " + SEQUENCE_PRIVILEGES + " ON SEQUENCES TO {}"
        ).format(owner_role, app_role),
    ]
    return statements


# Tables, views and sequences in the public schema that another role than the owner and the application
# owns (a superuser's migrations; a sequence owned by a table column follows its table).
FOREIGN_OBJECTS = """
SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
       c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
  AND pg_get_userbyid(c.relowner) <> %s
  AND NOT (c.relkind = 'S' AND EXISTS (
      SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i') AND d.classid = 'pg_class'::regclass))
ORDER BY 1, 2
"""


def roles_apply(*, admin_url: str, owner_url: str, app_url: str, dry_run: bool = False) -> list[str]:
    """Create or repair the two roles and the database; returns the statements (passwords masked)."""
    admin, owner, app = Connection.from_url(admin_url), Connection.from_url(owner_url), Connection.from_url(app_url)
    _check(owner, app)
    done: list[str] = []
    cluster = admin.connect()
    try:
        with cluster.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [owner.database])
            exists = cursor.fetchone() is not None
            for statement in cluster_statements(owner, app, database_exists=exists):
                done.append(_masked(statement.as_string(cluster)))
                if not dry_run:
                    cursor.execute(statement)
    finally:
        cluster.close()
    if dry_run and not exists:
        return [*done, "-- then, in the new database: the schema and the grants"]
    portal = admin.connect(owner.database)
    try:
        with portal.cursor() as cursor:
            cursor.execute(FOREIGN_OBJECTS, [owner.user])
            foreign = list(cursor.fetchall())
            for statement in database_statements(owner, app, foreign=foreign):
                done.append(statement.as_string(portal))
                if not dry_run:
                    cursor.execute(statement)
    finally:
        portal.close()
    return done


def _masked(text: str) -> str:
    return re.sub(r"PASSWORD '(?:[^']|'')*'", "PASSWORD '…'", text)

"""Create or repair the portal's PostgreSQL roles: ``manage.py db_roles --admin-url URL`` (docs/deployment.md)."""

import os

from django.core.management.base import BaseCommand, CommandError

from operations.roles import RolesError, roles_apply


class Command(BaseCommand):
    help = (
        "Create or repair the owner role (owns the tables, runs migrations: DATABASE_OWNER_URL) and the "
        "application role (rows only: DATABASE_URL), and the database owned by the owner. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--admin-url",
            default=os.environ.get("DATABASE_ADMIN_URL"),
            help="a superuser's URL, e.g. postgres://postgres@127.0.0.1:5432/postgres (or DATABASE_ADMIN_URL)",
        )
        parser.add_argument(
            "--owner-url", default=os.environ.get("DATABASE_OWNER_URL"), help="default: DATABASE_OWNER_URL"
        )
        parser.add_argument("--app-url", default=os.environ.get("DATABASE_URL"), help="default: DATABASE_URL")
        parser.add_argument("--dry-run", action="store_true", help="print the statements, change nothing")

    def handle(self, *args, admin_url, owner_url, app_url, dry_run, **options):
        missing = [
            name
            for name, value in (("--admin-url", admin_url), ("--owner-url", owner_url), ("--app-url", app_url))
            if not value
        ]
        if missing:
            raise CommandError(f"missing {', '.join(missing)}")
        try:
            statements = roles_apply(admin_url=admin_url, owner_url=owner_url, app_url=app_url, dry_run=dry_run)
        except RolesError as error:
            raise CommandError(str(error)) from error
        for statement in statements:
            self.stdout.write(statement + ";")
        if not dry_run:
            self.stdout.write(
                self.style.SUCCESS("roles ready: migrate with DATABASE_OWNER_URL, run the portal with DATABASE_URL")
            )

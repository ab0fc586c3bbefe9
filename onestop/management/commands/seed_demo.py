"""Load the demo data of every app: the demo district and its users, then the demo catalogue.
Safe to run again: what is there is kept."""

import time
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import Agency
from feedback import demo as feedback_demo
from procedures import demo as procedures_demo
from reports import demo as reports_demo


class Command(BaseCommand):
    help = "Load the demo agencies, users and procedure catalogue (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even where DEMO_DATA_ALLOWED is off.")
        parser.add_argument(
            "--history",
            type=int,
            metavar="YEAR",
            help=(
                "Also make a history of the dossiers received in the calendar year YEAR (1 January to 31 December, "
                "or to today for the current year), through the services; dossiers still open on 31 December are "
                "carried on to their end. For 2021 the first half matches the province's online-service figures."
            ),
        )
        parser.add_argument(
            "--history-months",
            type=int,
            metavar="N",
            help="Also make a history of dossiers from the first day of the month N months ago to today.",
        )
        parser.add_argument(
            "--per-week",
            type=float,
            default=None,
            help="Dossiers per unit and week instead of the history's usual pace (its figures are then not kept).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Processes making the history (PostgreSQL; default 2, SQLite always 1).",
        )

    def handle(self, *args, force=False, history=None, history_months=None, per_week=None, workers=None, **options):
        if not settings.DEMO_DATA_ALLOWED and not force:
            raise CommandError("Demo users have published passwords: refusing where DEMO_DATA_ALLOWED is off.")
        with transaction.atomic():
            accounts_demo.load_agencies()
            created = accounts_demo.load_users()
            published = procedures_demo.load_catalogue()
            reports_demo.load_targets()
            feedback_demo.load_answer_times()
        from dossiers.signing import demo_pki_create

        signers = demo_pki_create(agencies=Agency.objects.filter(is_active=True))
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {Agency.objects.count()} agencies."))
        if signers:
            self.stdout.write(f"Demo signing certificates made for {signers} agencies in {settings.SIGNING_DIR}.")
        self.stdout.write(f"Demo catalogue: {published} procedures published.")
        for line in accounts_demo.describe_users(created):
            self.stdout.write(line)
        since, until, settle = None, None, False
        if history:
            since, until, settle = date(history, 1, 1), date(history, 12, 31), True
        if history_months:
            today = timezone.localdate()
            index = today.year * 12 + today.month - 1 - history_months
            since, until, settle = date(index // 12, index % 12 + 1, 1), None, False
            # ``make run`` waits for it: a light history (2 dossiers a unit and week) unless asked otherwise.
            per_week = 2 if per_week is None else per_week
        if since:
            self._dossier_history(since=since, until=until, settle=settle, per_week=per_week, workers=workers)
            self._feedback_history(since=since)

    def _dossier_history(self, *, since, until, settle, per_week, workers) -> None:
        from django.db import connection

        from dossiers.demo_history import generate_history, history_exists

        if history_exists():
            self.stdout.write("The demo history is there already: kept.")
            return
        last = min(until or timezone.localdate(), timezone.localdate())
        self.stdout.write(
            f"Making the history of dossiers received {since:%d/%m/%Y} – {last:%d/%m/%Y} through the services..."
        )
        if workers is None:
            workers = 2 if connection.vendor == "postgresql" else 1
        started = time.monotonic()
        outcomes = generate_history(since=since, until=until, settle=settle, per_week=per_week, workers=workers)
        seconds = time.monotonic() - started
        count = sum(outcomes.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"History: {count} dossiers in {seconds:.0f} s ({count / max(seconds, 0.001):.0f} dossiers/s) "
                f"{outcomes}."
            )
        )

    def _feedback_history(self, *, since: date) -> None:
        """Feedback of the last months about the history's dossiers, procedures and units (once)."""
        from feedback.demo.history import generate_feedback_history
        from feedback.demo.history import history_exists as feedback_history_exists

        if feedback_history_exists():
            self.stdout.write("The demo feedback is there already: kept.")
            return
        started = time.monotonic()
        outcomes = generate_feedback_history(since=since)
        if outcomes:
            seconds = time.monotonic() - started
            self.stdout.write(
                self.style.SUCCESS(
                    f"Feedback: {sum(outcomes.values())} in {seconds:.1f} s through the services {dict(outcomes)}."
                )
            )

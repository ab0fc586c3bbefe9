"""Load the demo data of every app: the demo district and its users, then the demo catalogue.
Safe to run again: what is there is kept."""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import Agency
from procedures import demo as procedures_demo


class Command(BaseCommand):
    help = "Load the demo agencies, users and procedure catalogue (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even where DEMO_DATA_ALLOWED is off.")
        parser.add_argument(
            "--history",
            type=int,
            metavar="YEAR",
            help="Also make a history of dossiers from 1 January of YEAR to today, through the services.",
        )
        parser.add_argument(
            "--history-months",
            type=int,
            metavar="N",
            help="Also make a history of dossiers from the first day of the month N months ago to today.",
        )
        parser.add_argument("--per-week", type=int, default=2, help="Dossiers per unit and week in the history.")

    def handle(self, *args, force=False, history=None, history_months=None, per_week=2, **options):
        if not settings.DEMO_DATA_ALLOWED and not force:
            raise CommandError("Demo users have published passwords: refusing where DEMO_DATA_ALLOWED is off.")
        with transaction.atomic():
            accounts_demo.load_agencies()
            created = accounts_demo.load_users()
            published = procedures_demo.load_catalogue()
        from dossiers.signing import demo_pki_create

        signers = demo_pki_create(agencies=Agency.objects.filter(is_active=True))
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {Agency.objects.count()} agencies."))
        if signers:
            self.stdout.write(f"Demo signing certificates made for {signers} agencies in {settings.SIGNING_DIR}.")
        self.stdout.write(f"Demo catalogue: {published} procedures published.")
        for line in accounts_demo.describe_users(created):
            self.stdout.write(line)
        since = date(history, 1, 1) if history else None
        if history_months:
            today = timezone.localdate()
            index = today.year * 12 + today.month - 1 - history_months
            since = date(index // 12, index % 12 + 1, 1)
        if since:
            from dossiers.demo_history import generate_history, history_exists

            if history_exists():
                self.stdout.write("The demo history is there already: kept.")
                return
            self.stdout.write(f"Making the history of dossiers since {since:%d/%m/%Y} through the services...")
            outcomes = generate_history(since=since, per_week=per_week)
            self.stdout.write(self.style.SUCCESS(f"History: {sum(outcomes.values())} dossiers {outcomes}."))

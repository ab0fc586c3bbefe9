"""Load the demo data of every app: the demo district and its users, then the demo catalogue.
Safe to run again: what is there is kept."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import demo as accounts_demo
from accounts.models import Agency
from procedures import demo as procedures_demo


class Command(BaseCommand):
    help = "Load the demo agencies, users and procedure catalogue (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even where DEMO_DATA_ALLOWED is off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEMO_DATA_ALLOWED and not force:
            raise CommandError("Demo users have published passwords: refusing where DEMO_DATA_ALLOWED is off.")
        with transaction.atomic():
            accounts_demo.load_agencies()
            created = accounts_demo.load_users()
            published = procedures_demo.load_catalogue()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {Agency.objects.count()} agencies."))
        self.stdout.write(f"Demo catalogue: {published} procedures published.")
        for line in accounts_demo.describe_users(created):
            self.stdout.write(line)

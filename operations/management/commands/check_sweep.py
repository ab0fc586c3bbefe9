"""``manage.py check_sweep``: exit 0 when the outbox sweep completed in the last five minutes (beat sends it
each minute and a worker runs it), 1 otherwise: the beat container's health check."""

from django.core.management.base import BaseCommand, CommandError

from onestop.health import SWEEP_STALE_AFTER, sweep_age


class Command(BaseCommand):
    help = "Exit non-zero unless the outbox sweep ran in the last five minutes (beat and a worker alive)."

    def handle(self, *args, **options):
        age = sweep_age()
        if age is None or age > SWEEP_STALE_AFTER:
            raise CommandError(f"the sweep last completed {'never' if age is None else f'{age:.0f} s ago'}")
        self.stdout.write(f"the sweep completed {age:.0f} s ago")

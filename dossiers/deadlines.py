"""Due times of dossiers, in working time (see ``procedures.calendar``), and when their clock runs."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from procedures.calendar import WorkingCalendar

from .constants import OPEN_STATUSES, Status


def add_working_days(start: datetime, days: Decimal) -> datetime:
    """``start`` plus ``days`` working days of the current calendar (holidays, announced swaps and
    office hours included; after hours counts from the next working morning)."""
    return WorkingCalendar.current().add_working_days(start, days)


def pausing_statuses() -> list[str]:
    """The statuses that pause a dossier's clock: a supplement request, and waiting for the financial
    obligation where ``DOSSIER_PAYMENT_PAUSES_CLOCK`` says so (docs/reports.md, "Lateness")."""
    statuses = [Status.SUPPLEMENT_REQUESTED]
    if settings.DOSSIER_PAYMENT_PAUSES_CLOCK:
        statuses.append(Status.AWAITING_PAYMENT)
    return statuses


def clock_running() -> Q:
    """The open dossiers whose clock runs now: all but those waiting on the applicant after a request
    that went out within their time. A request made once a dossier was overdue pauses nothing: it
    stays overdue, in the queues, the reminders and the reports, until its result."""
    from .models import DossierEvent

    late_request = DossierEvent.objects.filter(
        dossier=OuterRef("pk"), to_status=OuterRef("status"), created_at__gt=OuterRef("due_at")
    ).exclude(from_status=OuterRef("status"))
    return Q(status__in=OPEN_STATUSES) & (~Q(status__in=pausing_statuses()) | Q(Exists(late_request)))


def clock_runs(*, dossier) -> bool:
    """Whether ``dossier``'s clock runs now (``clock_running``, for one dossier)."""
    from .models import Dossier

    return Dossier.objects.filter(clock_running(), pk=dossier.pk).exists()

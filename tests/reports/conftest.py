"""Shared by the report tests: a district with its desk and communes, a procedure, and a maker of
dossiers in any state at any time (the report reads states; the services are tested elsewhere)."""

import uuid
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone

import pytest

from accounts.constants import AgencyKind
from dossiers.constants import Channel, Status
from dossiers.models import Dossier, DossierEvent
from procedures.constants import AgencyLevel
from tests.factories import AgencyFactory, UserFactory, published_procedure

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=TZ)


def at(*parts):
    return datetime(*parts, tzinfo=TZ)


@pytest.fixture
def district():
    district = AgencyFactory(district=True, code="000.00.22.H56", name="UBND huyện Như Thanh")
    desk = AgencyFactory(code="000.01.22.H56", name="Bộ phận Một cửa huyện", parent=district, kind=AgencyKind.DESK)
    communes = [AgencyFactory(code=f"000.{10 + n}.22.H56", name=f"UBND xã {n}", parent=district) for n in range(3)]
    AgencyFactory(department=True, code="000.02.22.H56", name="Phòng Tư pháp", parent=district)
    return {"district": district, "desk": desk, "communes": communes}


@pytest.fixture
def version(district):
    return published_procedure(agency_level=AgencyLevel.COMMUNE, agencies=district["communes"])


@pytest.fixture
def make(version):
    citizen = UserFactory()
    counter = iter(range(1, 10**6))

    def make(
        unit,
        *,
        received,
        due,
        status=Status.PROCESSING,
        finished=None,
        channel=Channel.ONLINE,
        history=(),
        submitted=None,
        **fields,
    ):
        """A dossier in ``status``; ``history``: (moment, status) changes to record as events. A dossier
        waiting for a supplement gets its request recorded an hour after reception unless given.
        ``submitted`` when it differs from the reception; ``fields`` set on the row as they are."""
        row = {
            "current_agency": unit,
            "status": status,
            "channel": channel,
            "submitted_at": submitted or received,
            "received_at": received,
            "due_at": due,
            "finished_at": finished,
            **fields,
        }
        dossier = Dossier.objects.create(
            reference=uuid.uuid4(),
            code=f"{unit.code}-T{next(counter):06d}",
            procedure_version=version,
            agency=unit,
            applicant=citizen,
            created_by=citizen,
            service_level=version.service_level,
            applicant_data={"full_name": "Công dân"},
            **row,
        )
        if status == Status.SUPPLEMENT_REQUESTED and not history:
            history = [(received + timedelta(hours=1), Status.SUPPLEMENT_REQUESTED)]
        for moment, to_status in history:
            with mock.patch.object(timezone, "now", return_value=moment):
                DossierEvent.objects.create(dossier=dossier, to_status=to_status, actor=citizen, agency=unit)
        return dossier

    return make

"""Shared by the benchmarks: a throw-away test database (PostgreSQL when DATABASE_URL is set) and the
95th percentile."""

import math
from contextlib import contextmanager

from django.db import connection
from django.test.utils import setup_test_environment


@contextmanager
def throwaway_database():
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def p95(values) -> float:
    """The 95th percentile by the nearest-rank method (the value 95 % of samples do not exceed)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def submitted_dossiers(count: int) -> list:
    """``count`` online dossiers of the demo citizen, submitted at a commune desk of the demo district
    (``seed_demo`` first), written in one statement: the starting point of the outbox benchmarks."""
    import uuid

    from django.utils import timezone

    from accounts.models import Agency, User
    from dossiers.models import Dossier
    from procedures.selectors import version_list_current

    commune = Agency.objects.get(code="000.10.22.H56")
    version = next(v for v in version_list_current() if v.agencies.filter(pk=commune.pk).exists())
    citizen = User.objects.get(email="congdan@demo.vn")
    now, tag = timezone.now(), uuid.uuid4().hex[:6]
    Dossier.objects.bulk_create(
        [
            Dossier(
                reference=uuid.uuid4(),
                code=f"{commune.code}-{now:%y%m%d}-{tag}{n:06d}",
                procedure_version=version,
                agency=commune,
                applicant=citizen,
                created_by=citizen,
                status="submitted",
                channel=2,
                service_level=version.service_level,
                applicant_data={"full_name": citizen.full_name, "phone": citizen.phone, "email": citizen.email},
                submitted_at=now,
                due_at=now,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    return list(Dossier.objects.filter(code__contains=f"-{tag}").order_by("pk"))


def online_procedure(*, code: str, name: str, agency_code: str = "000.10.22.H56"):
    """A fully online procedure of the demo commune ``agency_code`` with two documents to upload, one
    step and a one-field form, published (``seed_demo`` first): what the submission benchmarks submit."""
    from decimal import Decimal

    from accounts.models import Agency
    from procedures.constants import AgencyLevel, CopyType, ServiceLevel, StepRole
    from procedures.models import Field
    from procedures.services import (
        DocumentData,
        ProcedureContent,
        StepData,
        procedure_version_publish,
        procedure_version_write,
    )

    content = ProcedureContent(
        name=name,
        field=Field.objects.first(),
        agency_level=AgencyLevel.COMMUNE,
        service_level=ServiceLevel.FULL,
        processing_days=Decimal("3"),
        result_type="Văn bản",
        legal_basis="—",
        agencies=[Agency.objects.get(code=agency_code)],
        documents=[
            DocumentData(name="Tờ khai", copy_type=CopyType.ORIGINAL),
            DocumentData(name="Giấy tờ kèm theo", copy_type=CopyType.PHOTOCOPY),
        ],
        steps=[StepData(name="Giải quyết", role=StepRole.SPECIALIST, days=Decimal("3"))],
        form_schema=[{"name": "ho_ten", "label": "Họ tên", "type": "text", "required": True}],
    )
    return procedure_version_publish(version=procedure_version_write(code=code, content=content))

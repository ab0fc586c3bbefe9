import io

from django.core.management import call_command

import pytest

from accounts.constants import AgencyKind
from procedures.constants import ServiceLevel, StepRole
from procedures.models import ProcedureVersion
from procedures.selectors import procedure_get_current, version_list_current

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())


def test_the_demo_catalogue_publishes_at_least_15_real_procedures(demo):
    current = version_list_current()
    assert current.count() >= 15
    codes = set(current.values_list("procedure__code", flat=True))
    assert {"1.001193", "1.000894", "1.000656", "1.004873", "2.000815", "2.000575", "1.001776"} <= codes
    birth = procedure_get_current(code="1.001193")
    assert birth.name == "Thủ tục đăng ký khai sinh"
    assert birth.service_level == ServiceLevel.FULL
    assert birth.agencies.filter(kind=AgencyKind.COMMUNE).count() == 14
    assert birth.form_schema and birth.documents.exists()


def test_the_social_allowance_routes_commune_to_district_department_and_back(demo):
    allowance = procedure_get_current(code="1.001776")
    steps = list(allowance.steps.select_related("agency"))
    assert steps[0].agency is None and steps[0].role == StepRole.CLERK  # the commune desk receives
    assert any(s.agency and s.agency.kind == AgencyKind.DEPARTMENT for s in steps)  # district department
    assert any(s.agency and s.agency.kind == AgencyKind.DISTRICT and s.role == StepRole.LEADER for s in steps)
    assert steps[-1].agency is None  # back to the commune desk
    assert sum(s.days for s in steps) == allowance.processing_days


def test_running_the_demo_again_adds_no_versions(demo):
    before = ProcedureVersion.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert ProcedureVersion.objects.count() == before

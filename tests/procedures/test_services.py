from decimal import Decimal

from django.core.exceptions import ValidationError

import pytest

from accounts.constants import AgencyKind
from procedures.constants import AgencyLevel, StepRole, VersionStatus
from procedures.services import (
    StepData,
    procedure_version_new_draft,
    procedure_version_publish,
    procedure_version_write,
)
from tests.factories import AgencyFactory, procedure_content, published_procedure

pytestmark = pytest.mark.django_db


def test_a_published_version_is_kept_when_a_new_draft_is_made_and_published():
    first = published_procedure(name="Đăng ký khai sinh")
    draft = procedure_version_new_draft(procedure=first.procedure)
    assert (draft.number, draft.status) == (2, VersionStatus.DRAFT)
    assert [d.name for d in draft.documents.all()] == [d.name for d in first.documents.all()]
    assert [s.days for s in draft.steps.all()] == [s.days for s in first.steps.all()]
    assert set(draft.agencies.all()) == set(first.agencies.all())

    draft.name = "Đăng ký khai sinh (sửa đổi 2025)"
    draft.save()
    procedure_version_publish(version=draft)

    first.refresh_from_db()
    assert first.name == "Đăng ký khai sinh"
    assert first.status == VersionStatus.PUBLISHED


def test_publishing_refuses_a_route_whose_steps_do_not_add_up_to_the_processing_time():
    version = procedure_version_write(
        code="1.000001",
        content=procedure_content(
            processing_days=Decimal("5"), steps=[StepData(name="Xử lý", role=StepRole.SPECIALIST, days=Decimal("3"))]
        ),
    )
    with pytest.raises(ValidationError) as error:
        procedure_version_publish(version=version)
    assert "3" in str(error.value) and "5" in str(error.value)
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_publishing_refuses_a_procedure_that_no_agency_offers():
    version = procedure_version_write(code="1.000002", content=procedure_content(agencies=[]))
    with pytest.raises(ValidationError):
        procedure_version_publish(version=version)


def test_a_commune_cannot_offer_a_province_procedure_above_it_but_a_district_one_passes_through():
    province = AgencyFactory(province=True)
    district = AgencyFactory(district=True, parent=province)
    commune = AgencyFactory(parent=district)
    level_ok = procedure_version_write(
        code="1.000003", content=procedure_content(agency_level=AgencyLevel.DISTRICT, agencies=[commune])
    )
    procedure_version_publish(version=level_ok)  # liên thông: the commune desk receives it

    too_high = procedure_version_write(
        code="1.000004", content=procedure_content(agency_level=AgencyLevel.COMMUNE, agencies=[district])
    )
    with pytest.raises(ValidationError) as error:
        procedure_version_publish(version=too_high)
    assert district.name in str(error.value)
    assert district.kind == AgencyKind.DISTRICT


def test_half_days_are_accepted_and_other_fractions_refused():
    procedure_version_write(
        code="1.000005",
        content=procedure_content(
            processing_days=Decimal("0.5"),
            steps=[StepData(name="Giải quyết", role=StepRole.CLERK, days=Decimal("0.5"))],
        ),
    )
    with pytest.raises(ValidationError) as error:
        procedure_version_write(code="1.000006", content=procedure_content(processing_days=Decimal("1.3")))
    assert "processing_days" in error.value.message_dict


def test_an_invalid_online_form_is_refused_naming_the_field():
    with pytest.raises(ValidationError) as error:
        procedure_version_write(
            code="1.000007",
            content=procedure_content(form_schema=[{"name": "ho_ten", "label": "Họ tên", "type": "textt"}]),
        )
    assert "form_schema" in error.value.message_dict
    assert "ho_ten" in str(error.value)


def test_an_already_published_version_cannot_be_published_again():
    version = published_procedure()
    with pytest.raises(ValidationError):
        procedure_version_publish(version=version)

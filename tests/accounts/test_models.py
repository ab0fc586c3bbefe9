from django.core.exceptions import ValidationError

import pytest

from accounts.constants import AgencyKind
from accounts.models import Agency
from accounts.selectors import agency_administrative_unit, agency_ancestors, agency_subtree
from accounts.services import agency_save, user_create
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_user_identifiers_are_normalised_so_any_spelling_finds_the_same_person():
    user = user_create(full_name="Lê Văn Tám", email="  Tam.Le@Example.VN ", phone="+84 912 345 678", password="x")
    user.refresh_from_db()
    assert user.email == "tam.le@example.vn"
    assert user.phone == "0912345678"


def test_user_needs_an_email_or_a_phone_number():
    with pytest.raises(ValidationError) as error:
        user_create(full_name="Không Liên Lạc", password="x")
    assert "Enter an email address or a phone number." in str(error.value) or "email" in str(error.value)


def test_user_with_only_a_phone_number_is_accepted():
    user = user_create(full_name="Chỉ Có Số", phone="0987654321", password="x")
    assert user.email is None


@pytest.mark.parametrize(
    "citizen_id",
    ["03819000123", "0381900012345", "03819000123a", "999190001234"],
    ids=["11 digits", "13 digits", "letter", "unknown province 999"],
)
def test_citizen_id_must_be_twelve_digits_with_a_province_code(citizen_id):
    with pytest.raises(ValidationError) as error:
        user_create(full_name="Sai Số", phone="0987654321", citizen_id=citizen_id, password="x")
    assert "citizen_id" in error.value.message_dict


def test_citizen_id_is_unique():
    user_create(full_name="Người Một", phone="0987654321", citizen_id="038190001234", password="x")
    with pytest.raises(ValidationError) as error:
        user_create(full_name="Người Hai", phone="0987654322", citizen_id="038190001234", password="x")
    assert "citizen_id" in error.value.message_dict


def test_phone_numbers_must_look_vietnamese():
    with pytest.raises(ValidationError) as error:
        user_create(full_name="Số Lạ", phone="12345", password="x")
    assert "phone" in error.value.message_dict


def test_email_is_unique_whatever_its_case():
    UserFactory(email="hoa@example.vn")
    with pytest.raises(ValidationError):
        user_create(full_name="Trùng Email", email="HOA@example.vn", password="x")


def _tree():
    province = AgencyFactory(province=True, code="000.00.00.H56")
    district = AgencyFactory(district=True, code="000.00.22.H56", parent=province)
    desk = AgencyFactory(desk=True, code="000.01.22.H56", parent=district)
    commune = AgencyFactory(code="000.10.22.H56", parent=district)
    other_district = AgencyFactory(district=True, code="000.00.23.H56", parent=province)
    return province, district, desk, commune, other_district


def test_agency_subtree_covers_every_depth_and_nothing_beside_it():
    province, district, desk, commune, other_district = _tree()
    assert set(agency_subtree(agency=district)) == {district, desk, commune}
    assert set(agency_subtree(agency=province)) == {province, district, desk, commune, other_district}
    assert set(agency_subtree(agency=district, include_self=False)) == {desk, commune}
    assert list(agency_ancestors(agency=commune)) == [province, district]


def test_moving_a_commune_to_the_province_carries_its_units_along():
    """Since 1 July 2025 communes sit directly under the province: the tree is data, not code."""
    province, district, _desk, commune, _other = _tree()
    commune_desk = AgencyFactory(desk=True, code="000.40.22.H56", parent=commune)

    agency_save(code=commune.code, name=commune.name, kind=AgencyKind.COMMUNE, parent=province)

    commune_desk.refresh_from_db()
    assert list(agency_ancestors(agency=commune_desk)) == [province, Agency.objects.get(pk=commune.pk)]
    assert commune_desk not in agency_subtree(agency=district)
    assert commune_desk in agency_subtree(agency=province)


def test_an_agency_cannot_be_moved_below_itself():
    _province, district, _desk, commune, _other = _tree()
    with pytest.raises(ValidationError) as error:
        agency_save(code=district.code, name=district.name, kind=AgencyKind.DISTRICT, parent=commune)
    assert "parent" in error.value.message_dict


def test_agency_code_must_follow_the_national_structure():
    with pytest.raises(ValidationError) as error:
        agency_save(code="NHU-THANH", name="Sai mã", kind=AgencyKind.DISTRICT)
    assert "code" in error.value.message_dict


def test_a_desk_belongs_to_its_district():
    _province, district, desk, commune, _other = _tree()
    assert agency_administrative_unit(agency=desk) == district
    assert agency_administrative_unit(agency=commune) == commune

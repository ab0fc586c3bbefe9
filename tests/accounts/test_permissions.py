import pytest

from accounts.constants import Role
from accounts.permissions import can_manage_catalogue, has_role, is_leader_over, is_staff_member
from accounts.services import membership_grant, membership_revoke
from tests.factories import AgencyFactory, StaffMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    province = AgencyFactory(province=True, code="000.00.00.H56")
    district = AgencyFactory(district=True, code="000.00.22.H56", parent=province)
    commune = AgencyFactory(code="000.10.22.H56", parent=district)
    other_commune = AgencyFactory(code="000.11.22.H56", parent=district)
    return province, district, commune, other_commune


def test_a_citizen_holds_no_staff_role(tree):
    citizen = UserFactory()
    assert not is_staff_member(user=citizen)
    assert not has_role(user=citizen, role=Role.CLERK)
    assert not can_manage_catalogue(user=citizen)


def test_a_clerk_is_a_clerk_at_their_own_unit_only(tree):
    _province, district, commune, other_commune = tree
    clerk = StaffMembershipFactory(agency=commune, role=Role.CLERK).user
    assert is_staff_member(user=clerk)
    assert has_role(user=clerk, role=Role.CLERK, agency=commune)
    assert not has_role(user=clerk, role=Role.CLERK, agency=other_commune)
    assert not has_role(user=clerk, role=Role.CLERK, agency=district)
    assert not has_role(user=clerk, role=Role.LEADER)


def test_a_district_leader_leads_every_commune_below_but_not_the_province(tree):
    province, district, commune, other_commune = tree
    leader = StaffMembershipFactory(agency=district, role=Role.LEADER).user
    assert is_leader_over(user=leader, agency=district)
    assert is_leader_over(user=leader, agency=commune)
    assert is_leader_over(user=leader, agency=other_commune)
    assert not is_leader_over(user=leader, agency=province)


def test_a_commune_leader_does_not_lead_a_neighbouring_commune(tree):
    _province, _district, commune, other_commune = tree
    leader = StaffMembershipFactory(agency=commune, role=Role.LEADER).user
    assert is_leader_over(user=leader, agency=commune)
    assert not is_leader_over(user=leader, agency=other_commune)


def test_a_revoked_membership_grants_nothing(tree):
    _province, _district, commune, _other = tree
    user = UserFactory()
    membership_grant(user=user, agency=commune, role=Role.CLERK)
    membership_revoke(user=user, agency=commune, role=Role.CLERK)
    assert not has_role(user=user, role=Role.CLERK, agency=commune)
    assert not is_staff_member(user=user)


def test_a_deactivated_account_loses_its_roles(tree):
    _province, district, _commune, _other = tree
    leader = StaffMembershipFactory(agency=district, role=Role.LEADER).user
    leader.is_active = False
    leader.save()
    assert not is_leader_over(user=leader, agency=district)


def test_catalogue_admins_and_superusers_manage_the_catalogue(tree):
    _province, district, _commune, _other = tree
    admin = StaffMembershipFactory(agency=district, role=Role.CATALOGUE_ADMIN).user
    superuser = UserFactory(is_superuser=True)
    clerk = StaffMembershipFactory(agency=district, role=Role.CLERK).user
    assert can_manage_catalogue(user=admin)
    assert can_manage_catalogue(user=superuser)
    assert not can_manage_catalogue(user=clerk)

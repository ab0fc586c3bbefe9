"""An administrator's form with a junk id in an autocomplete field (a unit's superior, a membership's
person) answers the form again with the field's error, never a 500."""

from django.urls import reverse

import pytest

from accounts.models import Agency, StaffMembership
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

JUNK = ["NaN", "1e1000000", str(2**63), "-1", "abc", "1.5"]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("junk", JUNK)
def test_a_junk_superior_unit_is_a_field_error(admin_client, junk):
    response = admin_client.post(
        reverse("admin:accounts_agency_add"), {"name": "UBND xã Thử", "kind": "commune", "parent": junk}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"]
    assert not Agency.objects.filter(name="UBND xã Thử").exists()


@pytest.mark.parametrize("junk", JUNK)
def test_a_junk_person_or_unit_in_a_membership_is_a_field_error(admin_client, junk):
    agency = AgencyFactory()
    response = admin_client.post(
        reverse("admin:accounts_staffmembership_add"), {"user": junk, "agency": agency.pk, "role": "clerk"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["user"]
    assert not StaffMembership.objects.exists()

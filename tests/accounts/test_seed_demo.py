import io

from django.core.management import CommandError, call_command
from django.urls import reverse

import pytest

from accounts.constants import AgencyKind, Role
from accounts.demo import COMMUNES, DEMO_PASSWORD, DISTRICT, commune_code
from accounts.models import Agency, StaffMembership, User
from accounts.permissions import has_role
from accounts.selectors import agency_subtree
from feedback.models import Feedback

pytestmark = pytest.mark.django_db


def _seed(**kwargs) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **kwargs)
    return out.getvalue()


def test_demo_district_has_its_fourteen_real_units_under_thanh_hoa():
    _seed()
    district = Agency.objects.get(gso_code="403")
    assert district.name == "UBND huyện Như Thanh"
    assert district.parent.name == "UBND tỉnh Thanh Hóa"
    communes = Agency.objects.filter(parent=district, kind=AgencyKind.COMMUNE)
    assert {(c.gso_code, c.name) for c in communes} == {
        (code, f"UBND {name[0].lower()}{name[1:]}") for code, name in COMMUNES
    }
    assert communes.get(gso_code="16228").name == "UBND thị trấn Bến Sung"
    assert len(COMMUNES) == 14
    kinds = set(agency_subtree(agency=district).values_list("kind", flat=True))
    assert {AgencyKind.DESK, AgencyKind.DEPARTMENT} <= kinds
    assert Agency.objects.filter(parent=district, kind=AgencyKind.DEPARTMENT).count() >= 2


def test_every_role_has_a_demo_user_who_can_log_in_with_the_printed_password(client):
    output = _seed()
    assert DEMO_PASSWORD in output
    assert {m.role for m in StaffMembership.objects.all()} == set(Role)
    for membership in StaffMembership.objects.select_related("user", "agency"):
        assert membership.user.email in output
        assert has_role(user=membership.user, role=membership.role, agency=membership.agency)
    citizen = User.objects.get(email="congdan@demo.vn")
    assert not citizen.memberships.exists()
    client.post(reverse("accounts:login"), {"username": "motcua.huyen@demo.vn", "password": DEMO_PASSWORD})
    assert client.session["_auth_user_id"] == str(User.objects.get(email="motcua.huyen@demo.vn").pk)


def test_feedback_has_a_demo_handler_at_the_district_and_at_ben_sung_whose_leaders_keep_their_role(client):
    _seed()
    district, ben_sung = Agency.objects.get(code=DISTRICT[0]), Agency.objects.get(code=commune_code(0))
    for email, agency in (("phananh.huyen@demo.vn", district), ("phananh.bensung@demo.vn", ben_sung)):
        handler = User.objects.get(email=email)
        assert has_role(user=handler, role=Role.FEEDBACK, agency=agency)
        client.post(reverse("accounts:login"), {"username": email, "password": DEMO_PASSWORD})
        assert client.get(reverse("feedback:staff_inbox")).status_code == 200
        client.logout()
    assert has_role(user=User.objects.get(email="lanhdao.huyen@demo.vn"), role=Role.LEADER, agency=district)
    assert has_role(user=User.objects.get(email="chutich.bensung@demo.vn"), role=Role.LEADER, agency=ben_sung)
    # Feedback comes with the history (``--history-months``): the plain demo starts with none.
    assert not Feedback.objects.exists()


def test_running_it_again_keeps_what_is_there():
    _seed()
    clerk = User.objects.get(email="motcua.huyen@demo.vn")
    clerk.set_password("mat-khau-rieng-cua-toi")
    clerk.save()
    counts = (Agency.objects.count(), User.objects.count(), StaffMembership.objects.count())

    _seed()

    assert (Agency.objects.count(), User.objects.count(), StaffMembership.objects.count()) == counts
    clerk.refresh_from_db()
    assert clerk.check_password("mat-khau-rieng-cua-toi")


def test_it_refuses_to_publish_demo_passwords_in_production(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError):
        _seed()
    assert not User.objects.exists()

"""The error summary include (templates/_form_errors.html) on the desk pages, where one page holds
several forms: one announced box, every error linked to its field, the page title saying "Lỗi:"."""

import uuid

from django.template import Context, Template
from django.urls import reverse

import pytest

from accounts.constants import Role
from dossiers.forms import ApplicantForm, DeliveryForm
from tests.factories import StaffMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(client, commune):
    user = StaffMembershipFactory(agency=commune, role=Role.CLERK).user
    client.force_login(user)
    return user


def test_a_refused_walk_in_account_is_announced_above_the_search_box(client, clerk):
    response = client.post(reverse("dossiers:desk_citizen"), {"full_name": "", "citizen_id": "12"})
    page = response.content.decode()
    assert response.status_code == 400
    assert page.count('role="alert" tabindex="-1" autofocus') == 1
    summary = page.index("error-summary")
    assert summary < page.index('name="query"')  # the search box's own autofocus comes after it
    assert 'href="#id_full_name"' in page and 'href="#id_citizen_id"' in page
    assert "<title>Lỗi: " in page


def test_the_intake_page_sums_up_the_errors_of_all_its_forms(client, clerk, citizen, birth, commune):
    response = client.post(
        reverse("dossiers:desk_intake", args=[citizen.pk]),
        {
            "thu_tuc": birth.procedure.code,
            "co_quan": commune.pk,
            "tk-ho_ten": "",
            "result_delivery": "post",
            "delivery_address": "",
            "submission_key": str(uuid.uuid4()),
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert page.count('class="alert alert-danger error-summary"') == 1
    assert "Có 2 lỗi cần sửa" in page
    assert 'href="#id_tk-ho_ten"' in page  # a prefixed form's field
    assert 'href="#id_delivery_address"' in page
    assert "<title>Lỗi: " in page


def test_the_include_takes_one_form_or_several_and_is_silent_for_a_valid_or_unbound_form():
    template = Template('{% include "_form_errors.html" with form=form forms=forms %}')
    applicant = ApplicantForm(data={"full_name": "", "address": ""})
    delivery = DeliveryForm(data={"result_delivery": "carrier pigeon"}, service_level=3)
    one = template.render(Context({"form": applicant, "forms": None}))
    assert "Có 3 lỗi cần sửa" in one
    several = template.render(Context({"form": None, "forms": [applicant, delivery]}))
    assert "Có 4 lỗi cần sửa" in several
    assert 'href="#id_result_delivery_0"' in several  # a choice list: its first choice
    assert template.render(Context({"form": ApplicantForm(), "forms": None})).strip() == ""
    valid = ApplicantForm(data={"full_name": "An", "phone": "0912345678", "address": "Thôn 1"})
    assert template.render(Context({"form": valid, "forms": None})).strip() == ""

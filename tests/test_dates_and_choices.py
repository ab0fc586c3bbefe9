"""Days are typed day first everywhere, the admin included (02/09/2021 is 2 September; 31/02 is refused,
never read the other way round), and an empty choice reads "— Chọn … —"."""

from datetime import date

from django import forms
from django.urls import reverse
from django.utils import translation

import pytest

from procedures.models import CalendarDay
from reports.forms import ReportForm
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_date_field_reads_the_day_first_in_both_languages(language):
    with translation.override(language):
        assert forms.DateField().clean("02/09/2021") == date(2021, 9, 2)
        assert forms.DateField().clean("2021-09-02") == date(2021, 9, 2)  # as date inputs and links send it
        with pytest.raises(forms.ValidationError):
            forms.DateField().clean("31/02/2021")
        with pytest.raises(forms.ValidationError):
            forms.DateField().clean("09/31/2021")  # month first is not read at all


def test_the_admin_takes_a_day_typed_day_first_and_refuses_an_impossible_one(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:procedures_calendarday_add")
    assert client.get(url).status_code == 200
    response = client.post(url, {"date": "02/09/2021", "is_working_day": "", "note": "Quốc khánh"})
    assert response.status_code == 302
    assert CalendarDay.objects.get(note="Quốc khánh").date == date(2021, 9, 2)
    before = CalendarDay.objects.count()
    response = client.post(url, {"date": "31/02/2022", "is_working_day": "", "note": "?"})
    assert response.status_code == 200 and CalendarDay.objects.count() == before


def test_an_empty_unit_choice_reads_choose_a_unit_not_dashes(client):
    unit = AgencyFactory()
    form = ReportForm(agencies=[unit])
    page = str(form["agency"])
    assert "— Chọn đơn vị —" in page and "---------" not in page
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    admin_page = client.get(reverse("admin:accounts_staffmembership_add")).content.decode()
    assert "— Chọn —" in admin_page and "---------" not in admin_page

from datetime import date, timedelta

from django.utils import timezone

import pytest

from procedures.constants import AgencyLevel, ServiceLevel
from procedures.search import fold
from procedures.selectors import procedure_get_current, procedure_search, version_list_current
from procedures.services import procedure_unpublish, procedure_version_new_draft, procedure_version_publish
from tests.factories import FieldFactory, published_procedure

pytestmark = pytest.mark.django_db


def test_fold_removes_diacritics_case_and_punctuation():
    assert fold("Đăng ký KẾT HÔN, có yếu tố nước ngoài") == "dang ki ket hon co yeu to nuoc ngoai"
    assert fold("Khai tử") == fold("khai tu") == fold("KHAI TỬ")


@pytest.fixture
def catalogue():
    civil = FieldFactory(code="ho-tich", name="Hộ tịch")
    names = [
        "Thủ tục đăng ký kết hôn",
        "Thủ tục đăng ký lại kết hôn",
        "Thủ tục đăng ký kết hôn có yếu tố nước ngoài",
        "Thủ tục đăng ký khai tử",
        "Thủ tục đăng ký khai sinh",
        "Thủ tục chứng thực bản sao từ bản chính",
        "Thủ tục chứng thực chữ ký",
        "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
    ]
    return {name: published_procedure(name=name, field=civil) for name in names}


def names(query, **filters):
    return [version.name for version in procedure_search(query=query, **filters)]


@pytest.mark.parametrize("query", ["đăng ký kết hôn", "dang ky ket hon", "ĐĂNG KÝ KẾT HÔN", "Dang Ky Ket Hon"])
def test_the_exact_procedure_ranks_first_with_or_without_diacritics(catalogue, query):
    found = names(query)
    assert found[0] == "Thủ tục đăng ký kết hôn"
    assert set(found) == {
        "Thủ tục đăng ký kết hôn",
        "Thủ tục đăng ký lại kết hôn",
        "Thủ tục đăng ký kết hôn có yếu tố nước ngoài",
    }
    # A name that starts with the words beats one that only contains them.
    assert found.index("Thủ tục đăng ký kết hôn có yếu tố nước ngoài") < found.index("Thủ tục đăng ký lại kết hôn")


@pytest.mark.parametrize("query", ["Khai tử", "khai tu", "KHAI TU"])
def test_khai_tu_finds_the_death_registration_and_not_the_birth_one(catalogue, query):
    assert names(query) == ["Thủ tục đăng ký khai tử"]


@pytest.mark.parametrize("query", ["chứng thực", "chung thuc", "Chung Thuc", "chung thu"])
def test_chung_thuc_finds_both_certifications(catalogue, query):
    assert set(names(query)) == {"Thủ tục chứng thực bản sao từ bản chính", "Thủ tục chứng thực chữ ký"}


def test_the_generic_words_thu_tuc_do_not_match_everything(catalogue):
    assert names("thủ tục khai sinh") == ["Thủ tục đăng ký khai sinh"]


def test_a_national_code_finds_its_procedure(catalogue):
    version = catalogue["Thủ tục đăng ký khai tử"]
    assert names(version.procedure.code)[0] == "Thủ tục đăng ký khai tử"


def test_nothing_matches_gibberish(catalogue):
    assert names("xyzzy") == []


def test_filters_by_field_level_and_service_level():
    civil = FieldFactory(code="ho-tich", name="Hộ tịch")
    business = FieldFactory(code="ho-kinh-doanh", name="Hộ kinh doanh")
    published_procedure(name="Đăng ký khai sinh", field=civil, service_level=ServiceLevel.FULL)
    published_procedure(name="Chứng thực chữ ký", field=civil, service_level=ServiceLevel.INFORMATION)
    published_procedure(name="Đăng ký hộ kinh doanh", field=business, agency_level=AgencyLevel.DISTRICT)
    assert names("", field=civil) == ["Chứng thực chữ ký", "Đăng ký khai sinh"]
    assert names("", agency_level=AgencyLevel.DISTRICT) == ["Đăng ký hộ kinh doanh"]
    assert names("", service_level=ServiceLevel.INFORMATION) == ["Chứng thực chữ ký"]


def test_unpublished_and_draft_procedures_are_invisible():
    shown = published_procedure(name="Đăng ký khai sinh")
    hidden = published_procedure(name="Đăng ký khai tử")
    procedure_unpublish(procedure=hidden.procedure)
    draft = procedure_version_new_draft(procedure=shown.procedure)
    draft.name = "Đăng ký khai sinh (bản sửa chưa công bố)"
    draft.save()
    assert names("") == ["Đăng ký khai sinh"]
    assert procedure_get_current(code=hidden.procedure.code) is None


def test_a_new_version_replaces_the_old_one_from_its_effective_date():
    today = timezone.localdate()
    old = published_procedure(name="Đăng ký khai sinh", effective_from=date(2021, 1, 1))
    draft = procedure_version_new_draft(procedure=old.procedure)
    draft.processing_days = 1
    draft.save()
    draft.steps.update(days=0)
    draft.steps.filter(order=0).update(days=1)
    procedure_version_publish(version=draft, effective_from=today + timedelta(days=10))

    assert procedure_get_current(code=old.procedure.code).number == 1
    assert procedure_get_current(code=old.procedure.code, today=today + timedelta(days=10)).number == 2
    assert version_list_current(today=today + timedelta(days=10)).count() == 1


@pytest.mark.parametrize("query", ["đăng kí kết hôn", "dang ki ket hon"])
def test_ki_and_ky_are_the_same_spelling(catalogue, query):
    assert names(query)[0] == "Thủ tục đăng ký kết hôn"


def test_the_exact_spelling_bonus_ignores_case_on_every_database():
    published_procedure(name="Thủ tục đăng ký khai tử")
    upper = procedure_search(query="ĐĂNG KÝ KHAI TỬ").first().rank
    lower = procedure_search(query="đăng ký khai tử").first().rank
    assert upper == lower

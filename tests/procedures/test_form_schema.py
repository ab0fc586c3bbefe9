import json

from django.core.exceptions import ValidationError
from django.utils import translation

import pytest

from procedures.form_schema import answers_to_storage, form_class_for, validate_form_schema

BIRTH = [
    {"name": "ho_ten_tre", "label": "Họ, chữ đệm, tên của trẻ", "type": "text", "required": True},
    {"name": "ngay_sinh", "label": "Ngày sinh", "type": "date", "required": True},
    {"name": "gioi_tinh", "label": "Giới tính", "type": "choice", "choices": ["Nam", "Nữ"], "required": True},
    {"name": "so_ban_sao", "label": "Số bản sao", "type": "number"},
    {"name": "co_giay_chung_sinh", "label": "Có giấy chứng sinh", "type": "yesno", "required": True},
    {"name": "so_dinh_danh_me", "label": "Số định danh của mẹ", "type": "citizen_id"},
    {"name": "dien_thoai", "label": "Điện thoại", "type": "phone", "required": True},
    {"name": "noi_sinh", "label": "Nơi sinh", "type": "address", "required": True},
]


def test_a_valid_definition_becomes_a_form_that_validates_like_the_rest_of_the_portal():
    form_class = form_class_for(BIRTH)
    form = form_class(
        data={
            "ho_ten_tre": "Nguyễn Minh An",
            "ngay_sinh": "2026-11-20",
            "gioi_tinh": "Nữ",
            "co_giay_chung_sinh": "yes",
            "so_dinh_danh_me": "038190001234",
            "dien_thoai": "+84 912 345 678",
            "noi_sinh": "Trạm y tế xã Xuân Du",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["co_giay_chung_sinh"] is True
    assert list(form.fields) == [field["name"] for field in BIRTH]


def test_the_generated_form_refuses_a_bad_citizen_id_and_a_missing_required_field():
    form = form_class_for(BIRTH)(data={"so_dinh_danh_me": "12345", "gioi_tinh": "Khác"})
    assert not form.is_valid()
    assert {"so_dinh_danh_me", "ho_ten_tre", "gioi_tinh", "dien_thoai"} <= set(form.errors)


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"name": "x"}, "must be a list"),
        ([{"name": "Ho Ten", "label": "Họ tên", "type": "text"}], "Field 1"),
        ([{"name": "ho_ten", "label": "", "type": "text"}], "label"),
        ([{"name": "ho_ten", "label": "Họ tên", "type": "email"}], "email"),
        ([{"name": "a", "label": "A", "type": "text"}, {"name": "a", "label": "B", "type": "text"}], "twice"),
        ([{"name": "gioi_tinh", "label": "Giới tính", "type": "choice", "choices": ["Nam"]}], "two choices"),
        ([{"name": "ho_ten", "label": "Họ tên", "type": "text", "required": "yes"}], "required"),
        ([{"name": "ho_ten", "label": "Họ tên", "type": "text", "colour": "red"}], "colour"),
    ],
)
def test_invalid_definitions_are_refused_with_a_message_naming_the_field(schema, expected):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        validate_form_schema(schema)
    assert expected in " ".join(error.value.messages)


def test_the_refusal_speaks_vietnamese_to_a_vietnamese_admin():
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        validate_form_schema([{"name": "ho_ten", "label": "Họ tên", "type": "email"}])
    assert "Trường 1 (“ho_ten”)" in error.value.messages[0]


@pytest.mark.parametrize(
    "field",
    [
        {"name": ["ho", "ten"], "label": "Họ tên", "type": "text"},
        {"name": "ho_ten", "label": ["Họ tên"], "type": "text"},
        {"name": "ho_ten", "label": "Họ tên", "type": ["text"]},
    ],
)
def test_values_of_the_wrong_json_type_are_refused_not_crashed_on(field):
    with pytest.raises(ValidationError):
        validate_form_schema([field])


COPIES = {"name": "so_ban", "label": "Số bản", "type": "number", "integer": True, "min": 1, "max": 20}


@pytest.mark.parametrize(
    "typed", ["-2", "0", "21", "1e1000000", "1E5", "9" * 5000, "2,5", "2.5", "Infinity", "NaN", "١٢", "0x10"]
)
def test_a_whole_number_field_refuses_anything_outside_its_bounds_with_one_clear_message(typed):
    form = form_class_for([COPIES])(data={"so_ban": typed})
    assert not form.is_valid()
    assert form.errors["so_ban"] == ["Nhập một số nguyên từ 1 đến 20."]


@pytest.mark.parametrize(("typed", "cleaned"), [("1", 1), (" 20 ", 20), ("007", 7)])
def test_a_whole_number_within_its_bounds_is_accepted(typed, cleaned):
    form = form_class_for([COPIES])(data={"so_ban": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["so_ban"] == cleaned


def test_a_sum_may_be_typed_with_thousands_grouped_as_vietnamese_write_them():
    capital = {"name": "von", "label": "Vốn kinh doanh (đồng)", "type": "number", "integer": True, "min": 0}
    form = form_class_for([capital])(data={"von": "150.000.000"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["von"] == 150_000_000
    assert answers_to_storage([capital], form.cleaned_data) == {"von": "150000000"}


def test_a_number_without_bounds_still_refuses_an_exponent_and_an_endless_number():
    area = {"name": "dien_tich", "label": "Diện tích (m²)", "type": "number"}
    for typed in ["1e1000000", "1" * 30, "12,34567"]:
        form = form_class_for([area])(data={"dien_tich": typed})
        assert not form.is_valid(), typed
        assert form.errors["dien_tich"] == ["Nhập một số, ví dụ 2 hoặc 2,5."]
    form = form_class_for([area])(data={"dien_tich": "120,5"})
    assert form.is_valid(), form.errors
    assert answers_to_storage([area], form.cleaned_data) == {"dien_tich": "120.5"}
    assert form_class_for([area])(data={"dien_tich": "120.5"}).is_valid()  # read back as stored


def test_the_bounds_are_said_before_the_citizen_types():
    field = form_class_for([COPIES])()["so_ban"]
    assert field.help_text == "Nhập một số nguyên từ 1 đến 20."
    html = str(field)
    assert 'inputmode="numeric"' in html
    assert 'maxlength="20"' in html


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ({"name": "so_ban", "label": "Số bản", "type": "number", "min": 5, "max": 1}, "“min” is larger than “max”"),
        ({"name": "so_ban", "label": "Số bản", "type": "number", "min": "1"}, "“min” must be a number"),
        ({"name": "so_ban", "label": "Số bản", "type": "number", "max": True}, "“max” must be a number"),
        ({"name": "so_ban", "label": "Số bản", "type": "number", "max": float("nan")}, "“max” must be a number"),
        ({"name": "so_ban", "label": "Số bản", "type": "number", "integer": "yes"}, "“integer” must be true or false"),
        ({"name": "so_ban", "label": "Số bản", "type": "number", "integer": True, "min": 0.5}, "whole number"),
        ({"name": "ho_ten", "label": "Họ tên", "type": "text", "min": 1}, "only a number field has min"),
    ],
)
def test_bad_bounds_in_a_definition_are_refused_naming_the_field(field, expected):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        validate_form_schema([field])
    assert expected in " ".join(error.value.messages)


def test_the_demo_catalogues_numbers_are_whole_and_bounded():
    from procedures.demo import CATALOGUE_FILE

    catalogue = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    numbers = [f for p in catalogue["procedures"] for f in p["form_schema"] if f["type"] == "number"]
    assert numbers
    for field in numbers:
        validate_form_schema([field])
        assert field["integer"] is True and "min" in field, field
        if field["name"].startswith("so_ban"):
            assert field["min"] == 1


def test_a_field_can_start_filled_with_one_of_the_applicants_details():
    from procedures.form_schema import answers_with_prefill

    schema = [
        {"name": "noi_cu_tru", "label": "Nơi cư trú", "type": "address", "prefill": "address"},
        {"name": "noi_sinh", "label": "Nơi sinh", "type": "address"},
        {"name": "dien_thoai", "label": "Điện thoại", "type": "phone", "prefill": "phone"},
    ]
    validate_form_schema(schema)
    applicant = {"address": "Thôn 1, xã Xuân Du", "phone": "0912345678"}
    assert answers_with_prefill(schema, {}, applicant) == {
        "noi_cu_tru": "Thôn 1, xã Xuân Du",
        "dien_thoai": "0912345678",
    }
    assert answers_with_prefill(schema, {"dien_thoai": "0987654321"}, applicant)["dien_thoai"] == "0987654321"
    with translation.override("en"), pytest.raises(ValidationError) as error:
        validate_form_schema([{"name": "x", "label": "X", "type": "text", "prefill": "password"}])
    assert "“prefill” must be one of" in error.value.messages[0]


def test_answers_read_as_a_person_reads_them():
    from procedures.form_schema import answer_for_display

    assert answer_for_display({"type": "date"}, "2021-09-02") == "02/09/2021"
    assert answer_for_display({"type": "yesno"}, "yes") == "Có"
    assert answer_for_display({"type": "yesno"}, "no") == "Không"
    assert answer_for_display({"type": "number"}, "2.5") == "2,5"
    assert answer_for_display({"type": "text"}, "Thôn 1") == "Thôn 1"
    assert answer_for_display({"type": "date"}, "") == ""

from django.core.exceptions import ValidationError
from django.utils import translation

import pytest

from procedures.form_schema import form_class_for, validate_form_schema

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

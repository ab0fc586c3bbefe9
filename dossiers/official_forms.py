"""The official forms the desk issues, by the circular in force on the day of issue.

Circular 01/2018/TT-VPCP (23/11/2018, guiding Decree 61/2018/NĐ-CP) numbers six forms; Circular
03/2025/TT-VPCP (15/09/2025, guiding Decree 118/2025/NĐ-CP) replaces them with seven, adding the stop
notice (05) and renumbering the control sheet (06) and the register (07). A slip records the form of
its day when it is issued, so a reprint years later still names the form it was printed on.

The switch date is the 2025 circular's date of issue, the day its forms are applied from; an operator who
learns otherwise changes ``FORM_SETS`` (a table, not logic).
"""

from dataclasses import dataclass
from datetime import date

from .constants import SlipKind

REGISTER = "register"  # the dossier register (sổ theo dõi hồ sơ): not a slip, but a form of the same set


@dataclass(frozen=True)
class FormSet:
    circular: str
    basis: str  # the line printed under the form number
    applies_from: date
    numbers: dict[str, str]  # slip kind (or REGISTER) -> form number
    titles: dict[str, str]


FORM_SETS = [
    FormSet(
        circular="01/2018/TT-VPCP",
        basis="Ban hành kèm theo Thông tư số 01/2018/TT-VPCP ngày 23/11/2018 của Văn phòng Chính phủ",
        applies_from=date(2018, 11, 23),
        numbers={
            SlipKind.RECEIPT: "01",
            SlipKind.SUPPLEMENT: "02",
            SlipKind.REFUSAL: "03",
            SlipKind.APOLOGY: "04",
            SlipKind.CONTROL_SHEET: "05",
            REGISTER: "06",
        },
        titles={
            SlipKind.RECEIPT: "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            SlipKind.SUPPLEMENT: "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            SlipKind.REFUSAL: "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
            SlipKind.APOLOGY: "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
            SlipKind.STOP: "THÔNG BÁO VỀ VIỆC DỪNG GIẢI QUYẾT HỒ SƠ",
            SlipKind.CONTROL_SHEET: "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
            REGISTER: "SỔ THEO DÕI HỒ SƠ",
        },
    ),
    FormSet(
        circular="03/2025/TT-VPCP",
        basis="Ban hành kèm theo Thông tư số 03/2025/TT-VPCP ngày 15/9/2025 của Văn phòng Chính phủ",
        applies_from=date(2025, 9, 15),
        numbers={
            SlipKind.RECEIPT: "01",
            SlipKind.SUPPLEMENT: "02",
            SlipKind.REFUSAL: "03",
            SlipKind.APOLOGY: "04",
            SlipKind.STOP: "05",
            SlipKind.CONTROL_SHEET: "06",
            REGISTER: "07",
        },
        titles={
            SlipKind.RECEIPT: "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            SlipKind.SUPPLEMENT: "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            SlipKind.REFUSAL: "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
            SlipKind.APOLOGY: "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
            SlipKind.STOP: "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
            SlipKind.CONTROL_SHEET: "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
            REGISTER: "SỔ THEO DÕI HỒ SƠ",
        },
    ),
]


@dataclass(frozen=True)
class OfficialForm:
    number: str  # "" when the circular of the day has no form for it (a stop notice before 2025)
    basis: str
    title: str

    @property
    def label(self) -> str:
        return f"Mẫu số {self.number}" if self.number else ""

    def as_data(self) -> dict:
        return {"number": self.number, "basis": self.basis, "title": self.title}


def official_form(kind: str, on: date) -> OfficialForm:
    """The form for ``kind`` under the circular in force on ``on``."""
    applicable = [form_set for form_set in FORM_SETS if form_set.applies_from <= on] or FORM_SETS[:1]
    form_set = applicable[-1]
    number = form_set.numbers.get(kind, "")
    basis = form_set.basis if number else "Theo Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ"
    return OfficialForm(number=number, basis=basis, title=form_set.titles[kind])

"""The feedback app's demo data: the answer times (loaded by every ``seed_demo``) and a few months of
feedback beside the dossier history (``history``, with ``seed_demo --history-months``).

The demo's answer times: a real install enters its own, with the articles of the province's rules,
in the admin (Feedback and petitions → Answer times): these rows say they are the demo's."""

from decimal import Decimal

from ..constants import Subject
from ..models import AnswerTime

DEMO_BASIS = (
    "Giá trị của bản trình diễn: đơn vị nhập thời hạn và điều khoản theo Nghị định 20/2008/NĐ-CP "
    "(sửa đổi, bổ sung bởi Nghị định 92/2017/NĐ-CP) và quy chế của tỉnh"
)
DEMO_DAYS = {
    Subject.REGULATION: Decimal("10"),
    Subject.PROCEDURE: Decimal("10"),
    Subject.DOSSIER: Decimal("5"),
    Subject.CONDUCT: Decimal("10"),
}


def load_answer_times() -> None:
    for subject, days in DEMO_DAYS.items():
        AnswerTime.objects.get_or_create(subject=subject, defaults={"working_days": days, "legal_basis": DEMO_BASIS})

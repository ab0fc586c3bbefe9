import factory
from factory.django import DjangoModelFactory

from accounts.constants import AgencyKind, Role
from accounts.models import Agency, StaffMembership, User

PASSWORD = "mat-khau-thu-nghiem"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"nguoidung{n}@example.vn")
    phone = factory.Sequence(lambda n: f"09{n:08d}")
    full_name = factory.Faker("name", locale="vi_VN")
    password = factory.django.Password(PASSWORD)


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"UBND xã Thử Nghiệm {n}")
    kind = AgencyKind.COMMUNE
    code = factory.Sequence(lambda n: f"{n % 1000:03d}.{(n // 1000) % 100:02d}.22.H56")
    parent = None

    class Params:
        province = factory.Trait(kind=AgencyKind.PROVINCE, name="UBND tỉnh Thử Nghiệm")
        district = factory.Trait(kind=AgencyKind.DISTRICT, name=factory.Sequence(lambda n: f"UBND huyện {n}"))
        department = factory.Trait(kind=AgencyKind.DEPARTMENT, name=factory.Sequence(lambda n: f"Phòng {n}"))
        desk = factory.Trait(kind=AgencyKind.DESK, name=factory.Sequence(lambda n: f"Bộ phận Một cửa {n}"))


class StaffMembershipFactory(DjangoModelFactory):
    class Meta:
        model = StaffMembership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.CLERK


# ---- procedures ------------------------------------------------------------------------------------

from datetime import date  # noqa: E402
from decimal import Decimal  # noqa: E402

from procedures.constants import AgencyLevel, CopyType, ServiceLevel, StepRole  # noqa: E402
from procedures.models import Field  # noqa: E402
from procedures.services import (  # noqa: E402
    DocumentData,
    FeeData,
    ProcedureContent,
    StepData,
    procedure_version_publish,
    procedure_version_write,
)


class FieldFactory(DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"linh-vuc-{n}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")


_codes = iter(range(100000, 999999))


def procedure_content(**overrides) -> ProcedureContent:
    agencies = overrides.pop("agencies", None)
    if agencies is None:
        agencies = [AgencyFactory()]
    values = {
        "name": "Thủ tục đăng ký khai sinh",
        "field": overrides.pop("field", None) or FieldFactory(),
        "agency_level": AgencyLevel.COMMUNE,
        "service_level": ServiceLevel.FULL,
        "processing_days": Decimal("3"),
        "result_type": "Văn bản trả lời",
        "legal_basis": "Luật Hộ tịch 2014",
        "agencies": agencies,
        "fees": [FeeData(label="Lệ phí", amount=8000)],
        "documents": [DocumentData(name="Tờ khai đăng ký khai sinh", copy_type=CopyType.ORIGINAL)],
        "steps": [
            StepData(name="Tiếp nhận", role=StepRole.CLERK, days=Decimal("0.5")),
            StepData(name="Xử lý", role=StepRole.SPECIALIST, days=Decimal("2")),
            StepData(name="Phê duyệt", role=StepRole.LEADER, days=Decimal("0.5")),
        ],
        "form_schema": [{"name": "ho_ten", "label": "Họ và tên", "type": "text", "required": True}],
    }
    values.update(overrides)
    return ProcedureContent(**values)


def published_procedure(*, code: str | None = None, effective_from: date | None = None, **overrides):
    """A procedure with one published version (through the services, as the admin and import do)."""
    code = code or f"1.{next(_codes):06d}"
    version = procedure_version_write(code=code, content=procedure_content(**overrides))
    return procedure_version_publish(version=version, effective_from=effective_from or date(2021, 1, 1))

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

"""The demo district: Thanh Hóa → Như Thanh and its 14 communes and town, the district's one-stop desk
and departments, and one demo user of every role. Loaded by ``manage.py seed_demo``; idempotent."""

from dataclasses import dataclass

from .constants import AgencyKind, Role
from .models import Agency, User
from .services import agency_save, membership_grant, user_create

DEMO_PASSWORD = "motcua-demo-2026"  # noqa: S105 - published on purpose, printed for demo users

PROVINCE = ("000.00.00.H56", "UBND tỉnh Thanh Hóa", "38")
DISTRICT = ("000.00.22.H56", "UBND huyện Như Thanh", "403")
DISTRICT_DESK = "000.01.22.H56"
DISTRICT_UNITS = [
    (DISTRICT_DESK, "Bộ phận Một cửa huyện Như Thanh", AgencyKind.DESK),
    ("000.02.22.H56", "Phòng Tư pháp huyện Như Thanh", AgencyKind.DEPARTMENT),
    ("000.03.22.H56", "Phòng Tài nguyên và Môi trường huyện Như Thanh", AgencyKind.DEPARTMENT),
    # Appraise the demo catalogue's joint commune → district procedures (social allowances, business).
    ("000.04.22.H56", "Phòng Lao động - Thương binh và Xã hội huyện Như Thanh", AgencyKind.DEPARTMENT),
    ("000.05.22.H56", "Phòng Tài chính - Kế hoạch huyện Như Thanh", AgencyKind.DEPARTMENT),
]
# The district's 14 units with their GSO codes (2021). Level-3 numbers of the electronic ID codes are
# demo values following the structure of QCVN 102:2016/BTTTT (000.<unit>.22.H56).
COMMUNES = [
    ("16228", "Thị trấn Bến Sung"),
    ("16231", "Xã Cán Khê"),
    ("16234", "Xã Xuân Du"),
    ("16240", "Xã Phượng Nghi"),
    ("16243", "Xã Mậu Lâm"),
    ("16246", "Xã Xuân Khang"),
    ("16249", "Xã Phú Nhuận"),
    ("16252", "Xã Hải Long"),
    ("16258", "Xã Xuân Thái"),
    ("16261", "Xã Xuân Phúc"),
    ("16264", "Xã Yên Thọ"),
    ("16267", "Xã Yên Lạc"),
    ("16273", "Xã Thanh Tân"),
    ("16276", "Xã Thanh Kỳ"),
]


def commune_code(number: int) -> str:
    """Electronic ID code of the ``number``-th commune of the list above (0-based)."""
    return f"000.{number + 10:02d}.22.H56"


@dataclass(frozen=True)
class DemoUser:
    email: str
    phone: str
    full_name: str
    role: Role | None
    agency_code: str | None
    is_staff: bool = False
    is_superuser: bool = False
    citizen_id: str | None = None


DEMO_USERS = [
    DemoUser("congdan@demo.vn", "0912345678", "Lê Thị Hoa", None, None, citizen_id="038190001234"),
    DemoUser("motcua.huyen@demo.vn", "0900000001", "Nguyễn Văn An", Role.CLERK, DISTRICT_DESK),
    DemoUser("motcua.bensung@demo.vn", "0900000002", "Trần Thị Bình", Role.CLERK, commune_code(0)),
    # The other roles the commune procedures' routes need at Bến Sung: the civil-status officer who
    # checks the dossier, the chairman who signs.
    DemoUser("tuphap.bensung@demo.vn", "0900000007", "Lê Văn Cường", Role.SPECIALIST, commune_code(0)),
    DemoUser("chutich.bensung@demo.vn", "0900000008", "Nguyễn Đức Thịnh", Role.LEADER, commune_code(0)),
    DemoUser("chuyenvien.tuphap@demo.vn", "0900000003", "Phạm Minh Châu", Role.SPECIALIST, "000.02.22.H56"),
    DemoUser("chuyenvien.ldtbxh@demo.vn", "0900000006", "Vũ Thị Lan", Role.SPECIALIST, "000.04.22.H56"),
    DemoUser("lanhdao.huyen@demo.vn", "0900000004", "Hoàng Văn Dũng", Role.LEADER, DISTRICT[0]),
    # Who answers citizens' feedback and petitions: at the district (which may pass one down to a
    # commune) and at Bến Sung. The leaders above keep their own roles.
    DemoUser("phananh.huyen@demo.vn", "0900000011", "Trịnh Thu Trang", Role.FEEDBACK, DISTRICT[0]),
    DemoUser("phananh.bensung@demo.vn", "0900000012", "Bùi Văn Hậu", Role.FEEDBACK, commune_code(0)),
    # A leader of the province: sets the targets the district and the communes are judged against.
    DemoUser("lanhdao.tinh@demo.vn", "0900000010", "Lê Văn Tỉnh", Role.LEADER, PROVINCE[0]),
    DemoUser("quantri.danhmuc@demo.vn", "0900000005", "Đỗ Thu Hà", Role.CATALOGUE_ADMIN, DISTRICT[0], True),
    DemoUser("admin@demo.vn", "0900000009", "Quản trị hệ thống", None, None, True, True),
]


# Where the receiving desks are and how to reach them, for the public pages' footer. Demo values: the
# phone numbers and mailboxes are made up, not the units' real ones.
DISTRICT_DESK_CONTACT = (
    "Trụ sở UBND huyện Như Thanh, thị trấn Bến Sung, huyện Như Thanh, tỉnh Thanh Hóa",
    "0237 3848 100",
    "motcua.nhuthanh@demo.vn",
)


def commune_contact(number: int, name: str) -> tuple[str, str, str]:
    """Demo address, phone and email of the ``number``-th commune's one-stop desk."""
    return (
        f"Trụ sở UBND {name[0].lower()}{name[1:]}, huyện Như Thanh, tỉnh Thanh Hóa",
        f"0237 3848 {number + 101}",
        "",
    )


def _set_contact(agency: Agency, phone: str, email: str) -> None:
    """Fill the phone and email the demo knows, keeping any that staff have entered."""
    changed = [name for name, value in (("phone", phone), ("email", email)) if value and not getattr(agency, name)]
    for name in changed:
        setattr(agency, name, phone if name == "phone" else email)
    if changed:
        agency.save(update_fields=changed)


def load_agencies() -> None:
    province = agency_save(code=PROVINCE[0], name=PROVINCE[1], gso_code=PROVINCE[2], kind=AgencyKind.PROVINCE)
    district = agency_save(
        code=DISTRICT[0], name=DISTRICT[1], gso_code=DISTRICT[2], kind=AgencyKind.DISTRICT, parent=province
    )
    for code, name, kind in DISTRICT_UNITS:
        desk = code == DISTRICT_DESK
        agency = agency_save(
            code=code, name=name, kind=kind, parent=district, address=DISTRICT_DESK_CONTACT[0] if desk else ""
        )
        if desk:
            _set_contact(agency, *DISTRICT_DESK_CONTACT[1:])
    for number, (gso_code, name) in enumerate(COMMUNES):
        address, phone, email = commune_contact(number, name)
        agency = agency_save(
            code=commune_code(number),
            name=f"UBND {name[0].lower()}{name[1:]}",
            gso_code=gso_code,
            kind=AgencyKind.COMMUNE,
            parent=district,
            address=address,
        )
        _set_contact(agency, phone, email)


def load_users() -> set[str]:
    """Create the demo users that are missing (existing ones keep their password); return new emails."""
    created = set()
    for demo in DEMO_USERS:
        user = User.objects.filter(email=demo.email).first()
        if user is None:
            user = user_create(
                email=demo.email,
                phone=demo.phone,
                full_name=demo.full_name,
                citizen_id=demo.citizen_id,
                password=DEMO_PASSWORD,
                is_staff=demo.is_staff,
            )
            created.add(demo.email)
        if demo.is_superuser and not user.is_superuser:
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
        if demo.role:
            membership_grant(user=user, agency=Agency.objects.get(code=demo.agency_code), role=demo.role)
    return created


def describe_users(created: set[str]) -> list[str]:
    agencies = dict(Agency.objects.values_list("code", "name"))
    lines = [f"Demo accounts (password: {DEMO_PASSWORD}, unless changed since):"]
    for demo in DEMO_USERS:
        role = Role(demo.role).label if demo.role else ("superuser" if demo.is_superuser else "citizen")
        where = f" @ {agencies.get(demo.agency_code)}" if demo.agency_code else ""
        fresh = " (new)" if demo.email in created else ""
        lines.append(f"  {demo.email:<28} {demo.phone}  {role}{where}{fresh}")
    return lines

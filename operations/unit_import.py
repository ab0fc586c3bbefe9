"""A real unit's data in one file: its agency tree, its staff and their roles, the working calendar's
announced exceptions and (optionally) its catalogue, from an XLSX workbook or a JSON file
(docs/deployment.md, "A real unit's data").

XLSX sheets (headers in the first row, in any order; the English keys work as headers too):

- "Đơn vị": Mã đơn vị, Tên đơn vị, Loại (tỉnh, huyện, xã, phòng, một cửa), Mã đơn vị cấp trên, Mã ĐVHC, Địa chỉ
- "Cán bộ": Họ và tên, Thư điện tử, Điện thoại, Mã đơn vị, Vai trò (một cửa, chuyên viên, lãnh đạo, quản trị danh mục)
- "Lịch làm việc": Ngày, Làm việc (có / không), Ghi chú
- the catalogue's own sheets ("Thủ tục" and the rest, procedures/exchange.py), if the unit brings them.

JSON: ``{"agencies": [...], "staff": [...], "calendar": [...], "procedures": [...]}`` with the English keys.

All or nothing, like the catalogue import: every row is checked first and every problem is reported with
its sheet, row and column; if there is any, nothing is written. Written through the services (agencies
created or updated by code, people found by e-mail or phone or created without a password: they set one
with "Quên mật khẩu", memberships granted, calendar days created or changed), in one transaction.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.constants import AgencyKind, Role
from accounts.models import Agency, StaffMembership, User
from accounts.services import agency_save, membership_grant, user_create
from accounts.validators import normalize_phone, validate_phone
from procedures.exchange import (
    CatalogueImportError,
    ImportProblem,
    catalogue_import,
    records_from_json,
    records_from_xlsx,
)
from procedures.models import CalendarDay

SHEETS = {
    "agencies": (
        "Đơn vị",
        [
            ("code", "Mã đơn vị"),
            ("name", "Tên đơn vị"),
            ("kind", "Loại"),
            ("parent", "Mã đơn vị cấp trên"),
            ("gso_code", "Mã ĐVHC"),
            ("address", "Địa chỉ"),
        ],
    ),
    "staff": (
        "Cán bộ",
        [
            ("full_name", "Họ và tên"),
            ("email", "Thư điện tử"),
            ("phone", "Điện thoại"),
            ("agency", "Mã đơn vị"),
            ("role", "Vai trò"),
        ],
    ),
    "calendar": ("Lịch làm việc", [("date", "Ngày"), ("is_working_day", "Làm việc"), ("note", "Ghi chú")]),
}
# Words a province's file uses for the kinds and roles, besides the portal's own values and labels.
KIND_WORDS = {
    "tỉnh": AgencyKind.PROVINCE,
    "ubnd tỉnh": AgencyKind.PROVINCE,
    "huyện": AgencyKind.DISTRICT,
    "ubnd huyện": AgencyKind.DISTRICT,
    "xã": AgencyKind.COMMUNE,
    "phường": AgencyKind.COMMUNE,
    "thị trấn": AgencyKind.COMMUNE,
    "ubnd xã": AgencyKind.COMMUNE,
    "phòng": AgencyKind.DEPARTMENT,
    "phòng ban": AgencyKind.DEPARTMENT,
    "một cửa": AgencyKind.DESK,
    "bộ phận một cửa": AgencyKind.DESK,
}
ROLE_WORDS = {
    "một cửa": Role.CLERK,
    "cán bộ một cửa": Role.CLERK,
    "tiếp nhận": Role.CLERK,
    "chuyên viên": Role.SPECIALIST,
    "chuyên môn": Role.SPECIALIST,
    "lãnh đạo": Role.LEADER,
    "quản trị danh mục": Role.CATALOGUE_ADMIN,
    "phản ánh": Role.FEEDBACK,
    "xử lý phản ánh": Role.FEEDBACK,
}
YES = {"có", "co", "x", "1", "true", "yes", "làm việc", "làm bù"}
NO = {"không", "khong", "0", "false", "no", "nghỉ", ""}


class UnitImportError(Exception):
    def __init__(self, problems: list[ImportProblem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class Row:
    where: str
    data: dict


@dataclass
class UnitFile:
    agencies: list[Row] = field(default_factory=list)
    staff: list[Row] = field(default_factory=list)
    calendar: list[Row] = field(default_factory=list)
    procedures: list = field(default_factory=list)  # procedures.exchange.Located
    xlsx: bool = False


@dataclass
class UnitImported:
    counts: Counter = field(default_factory=Counter)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _choice(value, choices, words) -> str | None:
    """The choice a cell names: its value, its label in Vietnamese or English, or a word of the file."""
    options = {choice.lower(): choice for choice in choices.values} | words
    for language in ("vi", "en"):
        with translation.override(language):
            options |= {str(label).lower(): choice for choice, label in choices.choices}
    return options.get(_text(value).lower())


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


# Column widths of the template (characters) and the answers its drop-down lists offer.
TEMPLATE_WIDTHS = {"name": 36, "full_name": 28, "email": 30, "address": 40, "note": 36, "parent": 20, "role": 20}
TEMPLATE_LISTS = {
    "kind": "tỉnh,huyện,xã,phường,thị trấn,phòng,một cửa",
    "role": "một cửa,chuyên viên,lãnh đạo,quản trị danh mục",
    "is_working_day": "có,không",
}


def template_xlsx() -> bytes:
    """An empty workbook with the three sheets, their headers and drop-down lists, to fill in (the
    catalogue's own sheets come from its export in the admin)."""
    book = Workbook()
    book.remove(book.active)
    for _part, (title, columns) in SHEETS.items():
        sheet = book.create_sheet(title)
        sheet.append([label for _key, label in columns])
        sheet.freeze_panes = "A2"
        for index, (key, label) in enumerate(columns, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font = Font(bold=True)
            sheet.column_dimensions[cell.column_letter].width = TEMPLATE_WIDTHS.get(key, max(14, len(label) + 4))
            if key == "phone":  # text, so a spreadsheet keeps the leading 0
                for row in range(2, 1001):
                    sheet.cell(row=row, column=index).number_format = "@"
            if key in TEMPLATE_LISTS:
                choices = DataValidation(type="list", formula1=f'"{TEMPLATE_LISTS[key]}"', allow_blank=True)
                choices.add(f"{cell.column_letter}2:{cell.column_letter}2000")
                sheet.add_data_validation(choices)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def read_xlsx(raw: bytes) -> UnitFile:
    try:
        workbook = load_workbook(BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several unrelated types for a file that is not XLSX
        raise UnitImportError([ImportProblem(_("File"), "", _("not a readable XLSX workbook."))]) from error
    unit = UnitFile(xlsx=True)
    for part, (title, columns) in SHEETS.items():
        if title not in workbook.sheetnames:
            continue
        rows = workbook[title].iter_rows(values_only=True)
        header = [_text(h) for h in next(rows, [])]
        by_header = {label: key for key, label in columns} | {key: key for key, _label in columns}
        keys = [by_header.get(h) for h in header]
        for number, values in enumerate(rows, start=2):
            if all(_text(v) == "" for v in values):
                continue
            data = {key: value for key, value in zip(keys, values, strict=False) if key}
            where = _("Sheet “%(sheet)s”, row %(row)s") % {"sheet": title, "row": number}
            getattr(unit, part).append(Row(where, data))
    if "Thủ tục" in workbook.sheetnames:
        try:
            unit.procedures = records_from_xlsx(raw)
        except CatalogueImportError as error:
            raise UnitImportError(error.problems) from error
    if not (unit.agencies or unit.staff or unit.calendar or unit.procedures):
        names = ", ".join(f"“{title}”" for title, _columns in SHEETS.values())
        raise UnitImportError([ImportProblem(_("File"), "", _("none of the sheets %s has a row.") % names)])
    return unit


def read_json(raw: bytes | str) -> UnitFile:
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise UnitImportError([ImportProblem(_("File"), "", _("not valid JSON: %s") % error)]) from error
    if not isinstance(payload, dict):
        raise UnitImportError([ImportProblem(_("File"), "", _("expected an object with agencies, staff, calendar."))])
    unit = UnitFile()
    for part in SHEETS:
        items = payload.get(part) or []
        for index, item in enumerate(items if isinstance(items, list) else [], start=1):
            getattr(unit, part).append(Row(f"{part}[{index}]", item if isinstance(item, dict) else {}))
    if payload.get("procedures"):
        try:
            unit.procedures = records_from_json(json.dumps({"procedures": payload["procedures"]}))
        except CatalogueImportError as error:
            raise UnitImportError(error.problems) from error
    return unit


def _column(unit: UnitFile, part: str, key: str) -> str:
    return dict(SHEETS[part][1]).get(key, key) if unit.xlsx else key


def _problem(unit: UnitFile, row: Row, part: str, key: str, message: str) -> ImportProblem:
    return ImportProblem(row.where, _column(unit, part, key), message)


def _check(unit: UnitFile) -> tuple[list[ImportProblem], dict]:
    """Every problem of the file, and the rows cleaned for writing."""
    problems: list[ImportProblem] = []

    def problem(row: Row, part: str, key: str, message: str) -> None:
        problems.append(_problem(unit, row, part, key, message))

    agencies, seen = [], {}
    for row in unit.agencies:
        code, name, parent = _text(row.data.get("code")), _text(row.data.get("name")), _text(row.data.get("parent"))
        kind = _choice(row.data.get("kind"), AgencyKind, KIND_WORDS)
        if not code:
            problem(row, "agencies", "code", _("the unit's code is missing."))
        elif code in seen:
            problem(
                row,
                "agencies",
                "code",
                _("the code %(code)s also appears at %(other)s.") % {"code": code, "other": seen[code]},
            )
        if not name:
            problem(row, "agencies", "name", _("the unit's name is missing."))
        if kind is None:
            problem(
                row,
                "agencies",
                "kind",
                _("“%s” is not a kind of unit (tỉnh, huyện, xã, phòng, một cửa).") % _text(row.data.get("kind")),
            )
        if code and parent == code:
            problem(row, "agencies", "parent", _("a unit cannot be its own superior."))
        seen.setdefault(code, row.where)
        agencies.append(
            (
                row,
                {
                    "code": code,
                    "name": name,
                    "kind": kind,
                    "parent": parent,
                    "gso_code": _text(row.data.get("gso_code")),
                    "address": _text(row.data.get("address")),
                },
            )
        )
    in_file = {data["code"] for _row, data in agencies if data["code"]}
    known = in_file | set(
        Agency.objects.filter(
            code__in=[d["parent"] for _r, d in agencies] + [_text(r.data.get("agency")) for r in unit.staff]
        ).values_list("code", flat=True)
    )
    for row, data in agencies:
        if data["parent"] and data["parent"] not in known:
            problem(
                row, "agencies", "parent", _("no unit with the code %s in the file or the portal.") % data["parent"]
            )

    staff, people = [], {}
    for row in unit.staff:
        name, email, agency = (
            _text(row.data.get("full_name")),
            _text(row.data.get("email")).lower(),
            _text(row.data.get("agency")),
        )
        raw_phone = _text(row.data.get("phone"))
        if isinstance(row.data.get("phone"), int | float) and raw_phone.isdigit() and len(raw_phone) in (9, 10):
            raw_phone = "0" + raw_phone  # a spreadsheet that took the number for a number dropped its 0
        role = _choice(row.data.get("role"), Role, ROLE_WORDS)
        phone = normalize_phone(raw_phone) if raw_phone else ""
        try:
            validate_phone(phone) if phone else None
        except ValidationError:
            phone = ""
        if not name:
            problem(row, "staff", "full_name", _("the person's name is missing."))
        if not email and not raw_phone:
            problem(row, "staff", "email", _("give an e-mail address or a phone number: the person logs in with it."))
        if raw_phone and not phone:
            problem(row, "staff", "phone", _("“%s” is not a Vietnamese phone number.") % raw_phone)
        if not agency or agency not in known:
            problem(row, "staff", "agency", _("no unit with the code %s in the file or the portal.") % (agency or "—"))
        if role is None:
            problem(
                row,
                "staff",
                "role",
                _("“%s” is not a role (một cửa, chuyên viên, lãnh đạo, quản trị danh mục).")
                % _text(row.data.get("role")),
            )
        identity = (email or phone, agency, role)
        if identity in people:
            problem(row, "staff", "role", _("the same person and role at this unit are also at %s.") % people[identity])
        people.setdefault(identity, row.where)
        staff.append((row, {"full_name": name, "email": email, "phone": phone, "agency": agency, "role": role}))

    calendar, days = [], {}
    for row in unit.calendar:
        day = _date(row.data.get("date"))
        value = row.data.get("is_working_day")
        answer = str(value).lower() if isinstance(value, bool) else _text(value).lower()
        if day is None:
            problem(row, "calendar", "date", _("“%s” is not a date (dd/mm/yyyy).") % _text(row.data.get("date")))
        elif day in days:
            problem(
                row,
                "calendar",
                "date",
                _("the day %(day)s also appears at %(other)s.") % {"day": f"{day:%d/%m/%Y}", "other": days[day]},
            )
        if answer not in YES | NO:
            problem(row, "calendar", "is_working_day", _("answer “có” (a working day) or “không” (a day off)."))
        if day:
            days.setdefault(day, row.where)
        calendar.append(
            (row, {"date": day, "is_working_day": answer in YES, "note": _text(row.data.get("note"))[:255]})
        )
    return problems, {"agencies": agencies, "staff": staff, "calendar": calendar}


def _in_order(agencies: list) -> list:
    """Superiors before the units under them (a loop is left in file order: its rows are reported)."""
    pending, ordered = list(agencies), []
    while pending:
        waiting = {data["code"] for _row, data in pending}
        ready = [item for item in pending if item[1]["parent"] not in waiting] or pending[:1]
        ordered += ready
        pending = [item for item in pending if item not in ready]
    return ordered


def unit_import(unit: UnitFile, *, publish: bool = True) -> UnitImported:
    """Check ``unit``, then write it all in one transaction, or nothing (``UnitImportError``)."""
    problems, rows = _check(unit)
    if problems:
        raise UnitImportError(problems)
    result = UnitImported()
    with transaction.atomic():
        units = _write_agencies(unit, rows["agencies"], problems, result)
        _write_staff(unit, rows["staff"], units, problems, result)
        for _row, data in rows["calendar"]:
            _day, created = CalendarDay.objects.update_or_create(
                date=data["date"], defaults={"is_working_day": data["is_working_day"], "note": data["note"]}
            )
            result.counts["calendar days created" if created else "calendar days changed"] += 1
        if unit.procedures and not problems:
            try:
                imported = catalogue_import(records=unit.procedures, publish=publish, xlsx=unit.xlsx)
                result.counts["procedures imported"] += len(imported.versions)
            except CatalogueImportError as error:
                problems.extend(error.problems)
        if problems:
            transaction.set_rollback(True)
    if problems:
        raise UnitImportError(problems)
    return result


def _write_agencies(unit: UnitFile, agencies: list, problems: list, result: UnitImported) -> dict[str, Agency]:
    """The units, superiors first; returns every unit the file names (saved, or already in the portal) by code."""
    named = {data["code"] for _row, data in agencies} | {data["parent"] for _row, data in agencies}
    named |= {_text(row.data.get("agency")) for row in unit.staff}
    units = {agency.code: agency for agency in Agency.objects.filter(code__in=named - {""})}
    for row, data in _in_order(agencies):
        parent = units.get(data["parent"]) if data["parent"] else None
        if data["parent"] and parent is None:  # its superior could not be saved (reported), or a loop
            message = _("the superior unit %s could not be imported.") % data["parent"]
            problems.append(_problem(unit, row, "agencies", "parent", message))
            continue
        existed = data["code"] in units
        try:
            units[data["code"]] = agency_save(
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                parent=parent,
                gso_code=data["gso_code"],
                address=data["address"],
            )
        except ValidationError as error:
            units.pop(data["code"], None)  # not as the file says: nothing may hang on it
            problems.extend(ImportProblem(row.where, "", message) for message in error.messages)
            continue
        result.counts["agencies updated" if existed else "agencies created"] += 1
    return units


def _write_staff(unit: UnitFile, staff: list, units: dict, problems: list, result: UnitImported) -> None:
    """People found again by e-mail or phone (read in two queries) or created; their roles granted."""
    emails = {data["email"] for _row, data in staff if data["email"]}
    phones = {data["phone"] for _row, data in staff if data["phone"]}
    people = User.objects.annotate(
        email_lower=Lower("email"), has_roles=Exists(StaffMembership.objects.filter(user=OuterRef("pk")))
    ).filter(Q(email_lower__in=emails) | Q(phone__in=phones))
    by_email = {person.email_lower: person for person in people if person.email_lower}
    by_phone = {person.phone: person for person in people if person.phone}
    for row, data in staff:
        found_by_email, found_by_phone = by_email.get(data["email"]), by_phone.get(data["phone"])
        if found_by_email and found_by_phone and found_by_email != found_by_phone:
            message = _("the e-mail address and the phone number belong to two different accounts.")
            problems.append(_problem(unit, row, "staff", "phone", message))
            continue
        user = found_by_email or found_by_phone
        if user is not None and not user.is_staff and not getattr(user, "has_roles", True):
            message = _("this belongs to a citizen's account; give the staff member their work address.")
            problems.append(_problem(unit, row, "staff", "email" if found_by_email else "phone", message))
            continue
        agency = units.get(data["agency"])
        if agency is None:
            message = _("the unit %s could not be imported.") % data["agency"]
            problems.append(_problem(unit, row, "staff", "agency", message))
            continue
        try:
            if user is None:
                user = user_create(
                    full_name=data["full_name"],
                    password=None,
                    email=data["email"] or None,
                    phone=data["phone"] or None,
                    is_staff=True,
                )
                by_email.update({data["email"]: user} if data["email"] else {})  # a second role, a later row
                by_phone.update({data["phone"]: user} if data["phone"] else {})
                result.counts["people created"] += 1
            membership_grant(user=user, agency=agency, role=data["role"])
            result.counts["roles granted"] += 1
        except ValidationError as error:
            problems.extend(ImportProblem(row.where, "", message) for message in error.messages)

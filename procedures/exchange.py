"""Import and export of the catalogue as JSON and as XLSX.

Both formats carry the same records. An import is all or nothing: every problem is reported with
the row (or the procedure's position in a JSON file) and the column it concerns, and when there is
any, nothing is written. An import never edits a published version: each procedure in the file gets
a new version, published at once or left as a draft.
"""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openpyxl import Workbook, load_workbook
from rest_framework import serializers

from accounts.models import Agency
from onestop.spreadsheet import xlsx_keep_text

from .constants import AgencyLevel, CopyType, ServiceLevel, StepRole
from .form_schema import validate_form_schema
from .models import ProcedureVersion
from .selectors import version_list_current
from .services import (
    DocumentData,
    FeeData,
    ProcedureContent,
    StepData,
    field_save,
    procedure_version_publish,
    procedure_version_write,
)

FORMAT = "onestop-catalogue"
FORMAT_VERSION = 1

# Sheets and columns of the XLSX file: (key, header). Headers are what a person reads in the file;
# an import accepts either.
SHEETS = {
    "procedures": (
        "Thủ tục",
        [
            ("code", "Mã thủ tục"),
            ("name", "Tên thủ tục"),
            ("field_code", "Mã lĩnh vực"),
            ("field_name", "Lĩnh vực"),
            ("agency_level", "Cấp thực hiện"),
            ("service_level", "Mức độ dịch vụ công"),
            ("processing_days", "Thời hạn (ngày làm việc)"),
            ("processing_note", "Ghi chú thời hạn"),
            ("result_type", "Kết quả"),
            ("legal_basis", "Căn cứ pháp lý"),
            ("conditions", "Yêu cầu, điều kiện"),
            ("submission_place", "Nơi nộp hồ sơ"),
            ("steps_description", "Trình tự thực hiện"),
            ("agencies", "Cơ quan thực hiện (mã, cách nhau bởi dấu phẩy)"),
            ("form_schema", "Biểu mẫu trực tuyến (JSON)"),
        ],
    ),
    "documents": (
        "Giấy tờ",
        [
            ("procedure_code", "Mã thủ tục"),
            ("name", "Tên giấy tờ"),
            ("copies", "Số bản"),
            ("copy_type", "Loại bản"),
            ("mandatory", "Bắt buộc"),
            ("note", "Ghi chú"),
            ("filled_online", "Khai trên biểu mẫu trực tuyến (không tải tệp)"),
            ("shown_in_person", "Xuất trình (không tải tệp)"),
        ],
    ),
    "fees": (
        "Phí, lệ phí",
        [
            ("procedure_code", "Mã thủ tục"),
            ("label", "Tên phí, lệ phí"),
            ("amount", "Mức thu (đồng)"),
            ("note", "Ghi chú"),
        ],
    ),
    "steps": (
        "Quy trình",
        [
            ("procedure_code", "Mã thủ tục"),
            ("name", "Bước"),
            ("agency", "Đơn vị xử lý (mã; để trống: nơi tiếp nhận)"),
            ("role", "Vai trò"),
            ("days", "Thời gian (ngày làm việc)"),
        ],
    ),
}
PARTS = ("documents", "fees", "steps")


@dataclass
class ImportProblem:
    where: str
    column: str
    message: str

    def __str__(self):
        return f"{self.where}, {self.column}: {self.message}" if self.column else f"{self.where}: {self.message}"


class CatalogueImportError(Exception):
    def __init__(self, problems: list[ImportProblem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class ImportResult:
    versions: list[ProcedureVersion]
    published: bool


# ---- validation ---------------------------------------------------------------------------------


class _Text(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("required", False)
        kwargs.setdefault("default", "")
        super().__init__(**kwargs)


class FeeRow(serializers.Serializer):
    label = serializers.CharField(max_length=255)
    amount = serializers.IntegerField(min_value=0)
    note = _Text()


class DocumentRow(serializers.Serializer):
    name = serializers.CharField(max_length=500)
    copies = serializers.IntegerField(min_value=1, default=1)
    copy_type = serializers.ChoiceField(choices=CopyType.choices)
    mandatory = serializers.BooleanField(default=True)
    note = _Text()
    filled_online = serializers.BooleanField(default=False)
    shown_in_person = serializers.BooleanField(default=False)


class StepRow(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    agency = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.all(), required=False, allow_null=True, default=None
    )
    role = serializers.ChoiceField(choices=StepRole.choices)
    days = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=Decimal(0))


class ProcedureRow(serializers.Serializer):
    code = serializers.RegexField(r"^\d\.\d{6}$", error_messages={"invalid": gettext_lazy("Use a code like 1.001193.")})
    name = serializers.CharField(max_length=500)
    field_code = serializers.SlugField(max_length=40)
    field_name = serializers.CharField(max_length=255)
    agency_level = serializers.ChoiceField(choices=AgencyLevel.choices)
    service_level = serializers.ChoiceField(choices=ServiceLevel.choices)
    processing_days = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=Decimal("0.5"))
    processing_note = _Text()
    result_type = serializers.CharField(max_length=500)
    legal_basis = serializers.CharField()
    conditions = _Text()
    submission_place = _Text()
    steps_description = _Text()
    agencies = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.all(), many=True, allow_empty=False
    )
    form_schema = serializers.JSONField(required=False, default=list)
    documents = DocumentRow(many=True, required=False, default=list)
    fees = FeeRow(many=True, required=False, default=list)
    steps = StepRow(many=True, required=False, default=list)

    def validate_processing_days(self, value):
        if (value * 2) % 1:
            raise serializers.ValidationError(_("Use whole or half working days, e.g. 3 or 0.5."))
        return value

    def validate_form_schema(self, value):
        try:
            validate_form_schema(value)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return value


# ---- locations of records in the file -------------------------------------------------------------


@dataclass
class Located:
    """A procedure record and where each of its parts came from, for error messages."""

    data: dict
    where: str  # the procedure's own row
    part_rows: dict  # part -> list of row labels, one per item


def _column_label(part: str, key: str, xlsx: bool) -> str:
    if not xlsx:
        return key
    return dict(SHEETS[part][1]).get(key, key)


def _flatten(errors, prefix=()):
    """DRF's nested error structure as (path, message) pairs."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            yield from _flatten(value, (*prefix, key))
    elif isinstance(errors, list) and errors and not all(isinstance(e, str) for e in errors):
        for index, value in enumerate(errors):
            if value:
                yield from _flatten(value, (*prefix, index))
    else:
        for message in errors if isinstance(errors, list) else [errors]:
            yield prefix, str(message)


def _problems_for(record: Located, errors: dict, xlsx: bool) -> list[ImportProblem]:
    problems = []
    for path, message in _flatten(errors):
        if path and path[0] in PARTS and len(path) >= 2 and isinstance(path[1], int):
            part, index = path[0], path[1]
            rows = record.part_rows.get(part, [])
            where = rows[index] if index < len(rows) else record.where
            column = _column_label(part, str(path[2]) if len(path) > 2 else "", xlsx)
        else:
            where = record.where
            column = _column_label("procedures", str(path[0]) if path else "", xlsx)
        problems.append(ImportProblem(where=where, column=column, message=message))
    return problems


# ---- import ---------------------------------------------------------------------------------------


def catalogue_import(
    *, records: list[Located], publish: bool, effective_from: date | None = None, xlsx: bool = False
) -> ImportResult:
    """Validate every record, then write them all in one transaction, or nothing."""
    problems = []
    valid = []
    seen = {}
    for record in records:
        code = str(record.data.get("code", ""))
        if code and code in seen:
            problems.append(
                ImportProblem(
                    record.where,
                    _column_label("procedures", "code", xlsx),
                    _("the code %(code)s also appears at %(other)s.") % {"code": code, "other": seen[code]},
                )
            )
            continue
        seen[code] = record.where
        row = ProcedureRow(data=record.data)
        if row.is_valid():
            valid.append((record, row.validated_data))
        else:
            problems.extend(_problems_for(record, row.errors, xlsx))
    if problems:
        raise CatalogueImportError(problems)

    versions = []
    with transaction.atomic():
        for record, data in valid:
            try:
                with transaction.atomic():
                    version = _write(data)
                    if publish:
                        procedure_version_publish(version=version, effective_from=effective_from)
                versions.append(version)
            except ValidationError as error:
                messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
                for key, texts in messages.items():
                    column = _column_label("procedures", key, xlsx) if key and key != "__all__" else ""
                    problems.extend(ImportProblem(record.where, column, text) for text in texts)
        if problems:
            transaction.set_rollback(True)
            raise CatalogueImportError(problems)
    return ImportResult(versions=versions, published=publish)


def _write(data: dict) -> ProcedureVersion:
    field = field_save(code=data["field_code"], name=data["field_name"])
    content = ProcedureContent(
        name=data["name"],
        field=field,
        agency_level=data["agency_level"],
        service_level=int(data["service_level"]),
        processing_days=data["processing_days"],
        processing_note=data["processing_note"],
        result_type=data["result_type"],
        legal_basis=data["legal_basis"],
        conditions=data["conditions"],
        submission_place=data["submission_place"],
        steps_description=data["steps_description"],
        form_schema=data["form_schema"],
        agencies=list(data["agencies"]),
        fees=[FeeData(**fee) for fee in data["fees"]],
        documents=[DocumentData(**doc) for doc in data["documents"]],
        steps=[StepData(**step) for step in data["steps"]],
    )
    return procedure_version_write(code=data["code"], content=content)


def records_from_json(raw: bytes | str) -> list[Located]:
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:  # RecursionError: nested too deep
        raise CatalogueImportError([ImportProblem(_("File"), "", _("not valid JSON: %s") % error)]) from error
    items = payload.get("procedures") if isinstance(payload, dict) else payload
    if not isinstance(items, list):
        raise CatalogueImportError([ImportProblem(_("File"), "", _("expected a list of procedures."))])
    records = []
    for index, item in enumerate(items, start=1):
        where = _("Procedure %(index)s (%(code)s)") % {
            "index": index,
            "code": item.get("code", "?") if isinstance(item, dict) else "?",
        }
        data = item if isinstance(item, dict) else {}
        part_rows = {part: [f"{where}, {part}[{i}]" for i in range(len(data.get(part) or []))] for part in PARTS}
        records.append(Located(data=data, where=where, part_rows=part_rows))
    return records


def _cell(value, key=""):
    if value is None:
        return ""
    if key in ("code", "procedure_code") and isinstance(value, float):
        return f"{value:.6f}"  # a code typed as a number: 1.00489 means 1.004890
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value.strip() if isinstance(value, str) else value


_TRUE = {"true", "1", "x", "có", "co", "yes", "bắt buộc"}
_FALSE = {"false", "0", "", "không", "khong", "no"}


def _boolean(value):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return value  # left for the serializer to refuse with its own message


def records_from_xlsx(raw: bytes) -> list[Located]:
    try:
        workbook = load_workbook(BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several unrelated types for a file that is not XLSX
        raise CatalogueImportError([ImportProblem(_("File"), "", _("not a readable XLSX workbook."))]) from error

    def rows(part):
        title, columns = SHEETS[part]
        if title not in workbook.sheetnames:
            if part == "procedures":
                raise CatalogueImportError([ImportProblem(_("File"), "", _("the sheet “%s” is missing.") % title)])
            return
        sheet = workbook[title]
        iterator = sheet.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(iterator, [])]
        by_header = {label: key for key, label in columns} | {key: key for key, _label in columns}
        keys = [by_header.get(h) for h in header]
        for number, values in enumerate(iterator, start=2):
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            record = {key: _cell(value, key) for key, value in zip(keys, values, strict=False) if key}
            yield _("Sheet “%(sheet)s”, row %(row)s") % {"sheet": title, "row": number}, record

    records = []
    by_code = {}
    for where, row in rows("procedures"):
        agencies = [code.strip() for code in str(row.get("agencies", "")).split(",") if code.strip()]
        schema_text = row.get("form_schema") or "[]"
        try:
            schema = json.loads(schema_text) if isinstance(schema_text, str) else schema_text
        except ValueError:
            schema = schema_text  # the serializer reports it under its column
        data = {**row, "agencies": agencies, "form_schema": schema, "code": str(row.get("code", ""))}
        record = Located(data={**data, "documents": [], "fees": [], "steps": []}, where=where, part_rows={})
        records.append(record)
        by_code.setdefault(data["code"], record)
    orphans = []
    for part in PARTS:
        for where, row in rows(part):
            code = str(row.pop("procedure_code", ""))
            record = by_code.get(code)
            if record is None:
                orphans.append(
                    ImportProblem(where, "Mã thủ tục", _("no procedure with code “%s” in this file.") % code)
                )
                continue
            if part == "documents":
                for flag in ("mandatory", "filled_online", "shown_in_person"):
                    if flag in row:
                        row[flag] = _boolean(row[flag])
            if part == "steps":
                row["agency"] = row.get("agency") or None
            record.data[part].append(row)
            record.part_rows.setdefault(part, []).append(where)
    if orphans:
        raise CatalogueImportError(orphans)
    return records


# ---- export ---------------------------------------------------------------------------------------


def _versions_for_export():
    return (
        version_list_current()
        .prefetch_related("agencies", "documents", "fees", "steps__agency")
        .order_by("procedure__code")
    )


def _record(version: ProcedureVersion) -> dict:
    return {
        "code": version.procedure.code,
        "name": version.name,
        "field_code": version.field.code,
        "field_name": version.field.name,
        "agency_level": version.agency_level,
        "service_level": version.service_level,
        "processing_days": str(version.processing_days),
        "processing_note": version.processing_note,
        "result_type": version.result_type,
        "legal_basis": version.legal_basis,
        "conditions": version.conditions,
        "submission_place": version.submission_place,
        "steps_description": version.steps_description,
        "agencies": [agency.code for agency in version.agencies.all()],
        "form_schema": version.form_schema,
        "documents": [
            {
                "name": d.name,
                "copies": d.copies,
                "copy_type": d.copy_type,
                "mandatory": d.mandatory,
                "note": d.note,
                "filled_online": d.filled_online,
                "shown_in_person": d.shown_in_person,
            }
            for d in version.documents.all()
        ],
        "fees": [{"label": f.label, "amount": f.amount, "note": f.note} for f in version.fees.all()],
        "steps": [
            {"name": s.name, "agency": s.agency.code if s.agency else None, "role": s.role, "days": str(s.days)}
            for s in version.steps.all()
        ],
    }


def catalogue_export_json() -> bytes:
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "procedures": [_record(version) for version in _versions_for_export()],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")


def catalogue_export_xlsx() -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets = {}
    for part, (title, columns) in SHEETS.items():
        sheet = workbook.create_sheet(title)
        sheet.append([label for _key, label in columns])
        sheet.freeze_panes = "A2"
        sheets[part] = (sheet, [key for key, _label in columns])
    for version in _versions_for_export():
        record = _record(version)
        sheet, keys = sheets["procedures"]
        values = {
            **record,
            "agencies": ", ".join(record["agencies"]),
            "form_schema": json.dumps(record["form_schema"], ensure_ascii=False) if record["form_schema"] else "",
            "processing_days": float(record["processing_days"]),
        }
        sheet.append([values.get(key, "") for key in keys])
        for part in PARTS:
            sheet, keys = sheets[part]
            for item in record[part]:
                item = {**item, "procedure_code": record["code"]}
                if "days" in item:
                    item["days"] = float(item["days"])
                sheet.append([item.get(key) if item.get(key) is not None else "" for key in keys])
    for sheet, _keys in sheets.values():
        xlsx_keep_text(sheet)  # text that looks like a formula stays text, as exported, for the import
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

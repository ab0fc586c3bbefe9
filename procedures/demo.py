"""The demo catalogue: 17 real commune- and district-level procedures (civil status, certification,
business households, social allowances) with their national codes, times, fees, documents and routes,
in ``demo_catalogue.json`` — the catalogue's own import format. Loaded through the import, published
from 1 January 2021 so a generated history can use them. Procedures already present are kept."""

from datetime import date
from pathlib import Path

from .exchange import catalogue_import, records_from_json
from .models import Procedure

CATALOGUE_FILE = Path(__file__).with_name("demo_catalogue.json")
EFFECTIVE_FROM = date(2021, 1, 1)


SCHEMA_KEYS = ("integer", "min", "max", "prefill")


def load_catalogue() -> int:
    """Import and publish the demo procedures that are not in the catalogue yet; return how many. Demo
    procedures loaded before the catalogue file learnt the document flags and the form's number bounds
    get them (``seed_demo`` only: a real catalogue is its administrators')."""
    records = records_from_json(CATALOGUE_FILE.read_bytes())
    existing = set(Procedure.objects.values_list("code", flat=True))
    missing = [record for record in records if record.data["code"] not in existing]
    demo_catalogue_upgrade([record.data for record in records if record.data["code"] in existing])
    if not missing:
        return 0
    return len(catalogue_import(records=missing, publish=True, effective_from=EFFECTIVE_FROM).versions)


def demo_catalogue_upgrade(records: list[dict]) -> None:
    """Give demo procedures already loaded what the catalogue file now says of their documents
    (``filled_online``, ``shown_in_person``) and form fields (number bounds, prefill); matched by code
    and document or field name, so nothing else is touched. Idempotent."""
    from .models import ProcedureVersion, RequiredDocument

    for record in records:
        for document in record.get("documents", []):
            flags = {key: True for key in ("filled_online", "shown_in_person") if document.get(key)}
            if flags:
                RequiredDocument.objects.filter(version__procedure__code=record["code"], name=document["name"]).update(
                    **flags
                )
        added = {
            field["name"]: {key: field[key] for key in SCHEMA_KEYS if key in field}
            for field in record.get("form_schema", [])
            if any(key in field for key in SCHEMA_KEYS)
        }
        if not added:
            continue
        for version in ProcedureVersion.objects.filter(procedure__code=record["code"]):
            schema = version.form_schema or []
            changed = False
            for field in schema:
                if isinstance(field, dict) and field.get("name") in added and not any(k in field for k in SCHEMA_KEYS):
                    field.update(added[field["name"]])
                    changed = True
            if changed:
                ProcedureVersion.objects.filter(pk=version.pk).update(form_schema=schema)

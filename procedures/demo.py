"""The demo catalogue: 16 real commune- and district-level procedures (civil status, certification,
business households, social allowances) with their national codes, times, fees, documents and routes,
in ``demo_catalogue.json`` — the catalogue's own import format. Loaded through the import, published
from 1 January 2021 so a generated history can use them. Procedures already present are kept."""

from datetime import date
from pathlib import Path

from .exchange import catalogue_import, records_from_json
from .models import Procedure

CATALOGUE_FILE = Path(__file__).with_name("demo_catalogue.json")
EFFECTIVE_FROM = date(2021, 1, 1)


def load_catalogue() -> int:
    """Import and publish the demo procedures that are not in the catalogue yet; return how many."""
    records = records_from_json(CATALOGUE_FILE.read_bytes())
    existing = set(Procedure.objects.values_list("code", flat=True))
    missing = [record for record in records if record.data["code"] not in existing]
    if not missing:
        return 0
    return len(catalogue_import(records=missing, publish=True, effective_from=EFFECTIVE_FROM).versions)

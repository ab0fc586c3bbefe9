"""Benchmark: the public catalogue search page with 2,000 published procedures.

Run from the project root (PostgreSQL when DATABASE_URL is set, SQLite otherwise):

    .venv/bin/python bench/catalogue_search.py [--procedures 2000] [--repeat 30]

It builds a throw-away test database, loads the demo district and N procedures whose names are drawn
from the real catalogue's vocabulary (so a query matches a realistic share of them), then requests
``/thu-tuc/?q=...`` through Django's test client for several queries, with and without diacritics,
and prints the median and 95th percentile page time and the number of SQL queries per page.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")

import django

django.setup()

from decimal import Decimal  # noqa: E402
from io import StringIO  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from _common import p95, throwaway_database  # noqa: E402

ACTIONS = ["Đăng ký", "Cấp", "Cấp lại", "Cấp đổi", "Xác nhận", "Chứng thực", "Thay đổi", "Điều chỉnh", "Gia hạn"]
OBJECTS = [
    "khai sinh",
    "kết hôn",
    "khai tử",
    "giám hộ",
    "nhận cha, mẹ, con",
    "tình trạng hôn nhân",
    "bản sao từ bản chính",
    "chữ ký",
    "hợp đồng, giao dịch",
    "hộ kinh doanh",
    "giấy phép xây dựng",
    "quyền sử dụng đất",
    "trợ cấp xã hội hằng tháng",
    "hỗ trợ chi phí mai táng",
    "giấy phép kinh doanh rượu",
    "giấy chứng nhận an toàn thực phẩm",
]
QUALIFIERS = ["", "", "", "có yếu tố nước ngoài", "lưu động", "cho người đã có hồ sơ", "tại cấp xã", "tại cấp huyện"]
QUERIES = [
    "đăng ký kết hôn",
    "dang ky ket hon",
    "khai tu",
    "chứng thực",
    "chung thuc ban sao",
    "ho kinh doanh",
    "1.0010",
]


def load(count: int) -> None:
    from accounts.models import Agency
    from procedures.constants import AgencyLevel, ServiceLevel, VersionStatus
    from procedures.models import Fee, Field, Procedure, ProcedureVersion
    from procedures.search import padded

    call_command("seed_demo", stdout=StringIO())
    rng = random.Random(2026)
    fields = list(Field.objects.all())
    communes = list(Agency.objects.filter(kind="commune"))
    procedures = Procedure.objects.bulk_create([Procedure(code=f"9.{i:06d}") for i in range(count)])
    versions = []
    for procedure in procedures:
        name = " ".join(
            part
            for part in ["Thủ tục", rng.choice(ACTIONS).lower(), rng.choice(OBJECTS), rng.choice(QUALIFIERS)]
            if part
        )
        field = rng.choice(fields)
        version = ProcedureVersion(
            procedure=procedure,
            number=1,
            status=VersionStatus.PUBLISHED,
            effective_from="2021-01-01",
            name=name,
            field=field,
            agency_level=rng.choice(AgencyLevel.values),
            service_level=rng.choice(ServiceLevel.values),
            processing_days=Decimal(rng.choice([0.5, 1, 3, 5, 10, 15])),
            result_type="Văn bản trả lời",
            legal_basis="Luật Hộ tịch 2014",
            search_name=padded(name),
            search_text=padded(f"{name} {procedure.code} {field.name} Văn bản trả lời"),
        )
        versions.append(version)
    ProcedureVersion.objects.bulk_create(versions, batch_size=500)
    Fee.objects.bulk_create(
        [Fee(version=v, label="Lệ phí", amount=rng.choice([0, 8000, 15000, 50000])) for v in versions], batch_size=500
    )
    through = ProcedureVersion.agencies.through
    through.objects.bulk_create(
        [through(procedureversion=v, agency=rng.choice(communes)) for v in versions], batch_size=1000
    )


def measure(repeat: int) -> None:
    client = Client()
    client.get("/thu-tuc/")  # warm up templates and connections
    all_times = []
    print(f"{'query':<24}{'results':>8}{'queries':>9}{'median ms':>11}{'p95 ms':>9}")
    for query in QUERIES:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get("/thu-tuc/", {"q": query})
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/thu-tuc/", {"q": query})
        results = response.context["page"].paginator.count
        times.sort()
        all_times.extend(times)
        high = p95(times)
        print(f"{query:<24}{results:>8}{len(queries):>9}{statistics.median(times):>11.1f}{high:>9.1f}")
    all_times.sort()
    print(f"{'all searches':<24}{'':>8}{'':>9}{statistics.median(all_times):>11.1f}{p95(all_times):>9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    with throwaway_database():
        started = time.perf_counter()
        load(args.procedures)
        elapsed = time.perf_counter() - started
        print(f"database: {connection.vendor}, {args.procedures} procedures loaded in {elapsed:.1f} s")
        measure(args.repeat)


if __name__ == "__main__":
    main()

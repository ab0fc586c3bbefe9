"""Benchmark: the quarterly 06a report and the leaders' dashboard over 1,000,000 dossiers in PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onestop \\
        .venv/bin/python bench/report_06a.py [--dossiers 1000000] [--repeat 15]

In a throw-away database with the demo district: N dossiers over three years spread over the district
desk and the 14 communes (one INSERT ... SELECT: this measures reading; then VACUUM ANALYZE, what
autovacuum does to a table of that size within minutes, so that index-only scans read no heap page), then,
side by side in one run:
the quarterly 06a report for the district by the official cut-off through the portal's code
(``reports.selectors.report_06a``) and one hand-written SQL query computing the same numbers (checked
equal), their medians and ratio; the dashboard page through Django's test client (median and p95, its
query count; its numbers checked equal to the 06a report's); the parts of the page; and the EXPLAIN
ANALYZE plans of the portal's queries and the hand-written one. ``--page-only`` stops after the page (it
runs on an older tree too, to measure the page before a change on the same data).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")

import django

django.setup()

from io import StringIO  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from _common import p95, throwaway_database  # noqa: E402

LOAD = """
WITH p AS (SELECT %(units)s::bigint[] AS units, %(versions)s::bigint[] AS versions)
INSERT INTO dossiers_dossier (
    reference, code, status, channel, service_level, result_delivery, delivery_address, applicant_data,
    form_data, created_at, updated_at, submitted_at, received_at, due_at, agency_id, applicant_id,
    created_by_id, procedure_version_id, current_agency_id, finished_at, result_delivery_note, version,
    result_electronic, fee_label, fee_amount, fee_paid_online, received_electronic, fee_paid_at, applicant_search)
SELECT gen_random_uuid(), 'B' || lpad(g::text, 8, '0'),
       CASE WHEN x.fin IS NULL THEN (ARRAY['received', 'processing', 'processing', 'supplement_requested'])[1 + g %% 4]
            WHEN x.u < 0.03 THEN 'withdrawn' WHEN x.u < 0.05 THEN 'stopped'
            WHEN x.u < 0.40 THEN 'done' ELSE 'returned' END,
       CASE WHEN x.c < 0.45 THEN 2 WHEN x.c < 0.95 THEN 1 ELSE 3 END,
       CASE WHEN x.c < 0.15 THEN 4 ELSE 3 END,
       'desk', '', '{}'::jsonb, '{}'::jsonb, x.recv, x.recv, x.recv, x.recv, x.recv + x.allowed,
       p.units[1 + g %% cardinality(p.units)], %(citizen)s, %(citizen)s,
       p.versions[1 + g %% cardinality(p.versions)], p.units[1 + g %% cardinality(p.units)],
       x.fin, '', 1, x.fin IS NOT NULL AND x.u >= 0.05 AND x.c < 0.7,
       '', CASE WHEN g %% 5 = 0 THEN 15000 ELSE 0 END, g %% 10 = 0 AND x.c < 0.45, x.c < 0.45,
       CASE WHEN g %% 5 = 0 THEN x.recv + interval '1 hour' END, ''
FROM p, generate_series(1, %(count)s) AS g,
LATERAL (
    SELECT r.u, r.c, r.recv, r.allowed,
           CASE WHEN r.recv + r.took > now() THEN NULL ELSE r.recv + r.took END AS fin
    FROM (SELECT random() + 0 * g AS u, random() AS c,
                 now() - interval '1095 days' * random() AS recv,
                 interval '1 day' * (1 + floor(random() * 20)) AS allowed,
                 interval '1 hour' * (1 + random() * 600) AS took) AS r
) AS x
"""

# The clock was paused at the moment: the last status change before it was a supplement request, made
# within the dossier's time (one asked once overdue pauses nothing).
PAUSED = """
    SELECT 1 FROM dossiers_dossierevent s
    WHERE s.dossier_id = d.id AND s.to_status = 'supplement_requested' AND s.created_at < %(moment)s
      AND s.created_at <= d.due_at
      AND NOT EXISTS (SELECT 1 FROM dossiers_dossierevent l
                      WHERE l.dossier_id = s.dossier_id AND l.created_at > s.created_at
                        AND l.created_at < %(moment)s AND l.to_status NOT IN ('', 'supplement_requested'))
"""

# Each dossier waiting for a supplement has its request in its history; a tenth of the others were
# paused a while and resumed.
EVENTS = """
INSERT INTO dossiers_dossierevent (dossier_id, kind, from_status, to_status, note, created_at, agency_id)
SELECT id, 'status', 'processing', 'supplement_requested', '', received_at + interval '1 day', agency_id
FROM dossiers_dossier WHERE status = 'supplement_requested' OR id % 10 = 0;
INSERT INTO dossiers_dossierevent (dossier_id, kind, from_status, to_status, note, created_at, agency_id)
SELECT id, 'status', 'supplement_requested', 'processing', '', received_at + interval '4 days', agency_id
FROM dossiers_dossier WHERE status <> 'supplement_requested' AND id % 10 = 0;
ANALYZE dossiers_dossierevent;
"""

HAND_WRITTEN = (
    """
SELECT agency_id,
  count(*) AS received,
  count(*) FILTER (WHERE received_at >= %(start)s AND channel = 2) AS online,
  count(*) FILTER (WHERE received_at >= %(start)s AND channel <> 2) AS direct,
  count(*) FILTER (WHERE received_at < %(start)s) AS carried_over,
  count(*) FILTER (WHERE status IN ('done', 'returned') AND finished_at >= %(start)s AND finished_at < %(end)s)
    AS resolved,
  count(*) FILTER (WHERE status IN ('done', 'returned') AND finished_at >= %(start)s AND finished_at < %(end)s
    AND (finished_at AT TIME ZONE %(zone)s)::date < (due_at AT TIME ZONE %(zone)s)::date) AS early,
  count(*) FILTER (WHERE status IN ('done', 'returned') AND finished_at >= %(start)s AND finished_at < %(end)s
    AND (finished_at AT TIME ZONE %(zone)s)::date >= (due_at AT TIME ZONE %(zone)s)::date
    AND finished_at <= due_at) AS on_time,
  count(*) FILTER (WHERE status IN ('done', 'returned') AND finished_at >= %(start)s AND finished_at < %(end)s
    AND finished_at > due_at) AS late,
  count(*) FILTER (WHERE finished_at IS NULL OR finished_at >= %(end)s) AS in_progress,
  count(*) FILTER (WHERE (finished_at IS NULL OR finished_at >= %(end)s) AND (due_at >= %(moment)s
    OR EXISTS ("""
    + PAUSED
    + """))) AS within_time,
  count(*) FILTER (WHERE (finished_at IS NULL OR finished_at >= %(end)s) AND due_at < %(moment)s
    AND NOT EXISTS ("""
    + PAUSED
    + """)) AS overdue,
  count(*) FILTER (WHERE status = 'withdrawn' AND finished_at < %(end)s) AS withdrawn,
  count(*) FILTER (WHERE status = 'stopped' AND finished_at < %(end)s) AS stopped
FROM dossiers_dossier d
WHERE agency_id = ANY(%(units)s) AND received_at IS NOT NULL AND received_at < %(end)s
  AND (finished_at IS NULL OR finished_at >= %(start)s)
GROUP BY agency_id
"""
)


def load(count: int) -> None:
    from accounts.models import Agency, User
    from procedures.selectors import version_list_current
    from reports.selectors import receiving_units

    call_command("seed_demo", stdout=StringIO())
    district = Agency.objects.get(code="000.00.22.H56")
    units = [unit.pk for unit in receiving_units(agency=district)]
    versions = [version.pk for version in version_list_current()]
    citizen = User.objects.get(email="congdan@demo.vn").pk
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(LOAD, {"units": units, "versions": versions, "citizen": citizen, "count": count})
        cursor.execute(EVENTS)
        cursor.execute("VACUUM ANALYZE dossiers_dossier")
        cursor.execute("VACUUM ANALYZE dossiers_dossierevent")
    print(f"loaded {count:,} dossiers in {time.perf_counter() - started:.0f} s")


def timed(function, repeat: int) -> tuple[list[float], object]:
    function()  # warm the cache
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--page-only", action="store_true", help="stop after the dashboard page")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL server: this benchmark is about PostgreSQL's plans.")
    from accounts.models import Agency, User
    from reports.periods import QUARTER, period_current
    from reports.selectors import receiving_units, report_06a

    with throwaway_database():
        load(args.dossiers)
        district = Agency.objects.get(code="000.00.22.H56")
        now = timezone.now()
        period = period_current(QUARTER, today=timezone.localdate(now), cutoff=True)
        start, end = period.bounds()
        units = receiving_units(agency=district)
        params = {
            "units": [u.pk for u in units],
            "start": start,
            "end": end,
            "moment": min(end, now),
            "zone": "Asia/Ho_Chi_Minh",
        }

        def portal():
            return report_06a(agency=district, period=period, now=now)

        def by_hand():
            with connection.cursor() as cursor:
                cursor.execute(HAND_WRITTEN, params)
                names = [column.name for column in cursor.description]
                return {row[0]: dict(zip(names[1:], row[1:], strict=True)) for row in cursor.fetchall()}

        portal_times, report = timed(portal, args.repeat)
        hand_times, counted = timed(by_hand, args.repeat)
        for row in report.rows:  # the same numbers, cell by cell
            expected = counted.get(row.key, {})
            for key, value in expected.items():
                assert row.counts[key] == value, (row.label, key, row.counts[key], value)
        portal_median, hand_median = statistics.median(portal_times), statistics.median(hand_times)
        total = report.total.counts
        print(f"\nquarterly 06a for the district, {period.label}, {len(units)} units, {total['received']:,} dossiers")
        print(f"{'':<28}{'median ms':>10}{'p95 ms':>9}")
        print(f"{'portal (report_06a)':<28}{portal_median:>10.1f}{p95(portal_times):>9.1f}")
        print(f"{'hand-written SQL':<28}{hand_median:>10.1f}{p95(hand_times):>9.1f}")
        print(f"ratio portal / hand-written: {portal_median / hand_median:.2f}")

        client = Client()
        client.force_login(User.objects.get(email="lanhdao.huyen@demo.vn"))
        query = {"agency": district.code, "kind": "quarter", "year": period.year, "number": period.number}
        query |= {"cutoff": "on", "grouping": "unit"}
        page_queries = []  # counted by a wrapper: the test client's request clears the query log
        with connection.execute_wrapper(lambda execute, *args: page_queries.append(1) or execute(*args)):
            page = client.get("/bao-cao/", query)
        assert page.status_code == 200
        # The page's numbers are the 06a report's (those that do not move with the clock).
        shown = {line.unit.pk: line.counts for line in page.context["lines"]}
        for row in report.rows:
            assert shown[row.key]["received"] == row.counts["received"], row.label
        assert page.context["report"].total.counts["in_progress"] == report.total.counts["in_progress"]
        page_times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get("/bao-cao/", query)
            page_times.append((time.perf_counter() - started) * 1000)
        print(
            f"dashboard page /bao-cao/: median {statistics.median(page_times):.1f} ms, p95 {p95(page_times):.1f} ms"
            f" ({len(page_queries)} queries)"
        )
        if args.page_only:
            return
        from reports.dashboard import month_splits, overdue_by_holder, split_filters
        from reports.indicators import RATE_KEYS, indicator_groups, indicator_table
        from reports.selectors import counting

        splits = month_splits(period=period)
        months = split_filters(splits)
        parts = {  # what the dashboard page runs, without the page around it
            "  indicators and months": lambda: indicator_table(
                agency=district, period=period, now=now, extra=months, only=RATE_KEYS, groups=[splits]
            ),
            "  overdue now by holder": lambda: overdue_by_holder(agency=district, now=now),
        }
        for label, function in parts.items():
            times, _result = timed(function, args.repeat)
            print(f"{label:<28}{statistics.median(times):>10.1f}{p95(times):>9.1f}")

        filters, groups = indicator_groups(period=period, now=now)
        filters = {key: q for key, q in filters.items() if key in RATE_KEYS} | months
        # ``present``: ``now`` is the present, as for the page (the open dossiers' status read, not their history).
        queries = counting(units=units, period=period, filters=filters, now=now, groups=[*groups, splits], present=True)
        print("\nEXPLAIN ANALYZE, the dashboard's main pass (one class per dossier and group of columns):")
        print(queries.main.explain(analyze=True))
        print("\nEXPLAIN ANALYZE, the dossiers open at the end: status then, paused clocks:")
        print(queries.open.explain(analyze=True))
        print("\nEXPLAIN ANALYZE, the hand-written query:")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN ANALYZE " + HAND_WRITTEN, params)
            print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()

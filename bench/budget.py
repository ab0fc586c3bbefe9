"""The performance budget CI holds the portal to: a short run of the page and submission benchmarks in
one production-like portal (gunicorn, ``DEBUG=False``, PostgreSQL, Redis; see ``_http.py``), each figure
a ratio to the bare view measured in the same round, so a slow or busy machine moves every figure
together and does not fail it; a page or a submission that costs more than it did does.

    .venv/bin/python bench/budget.py [--seconds 4] [--rounds 2] [--clients 4]

- each public page: its requests per second over the bare view's (at least ``PAGE_FLOOR``);
- a whole online submission (create, two 1 MB uploads, submit, through the API): how many bare-view
  requests the server answers in the time it takes to take one (at most ``SUBMISSION_CEILING``).

Prints every ratio beside its limit, the median of the rounds, and exits 1 when one is out. The limits
sit well outside what the full benchmarks measure (docs/performance.md), so noise passes and a lost page
cache, a query per row or a file copied twice does not. The full benchmarks stay in
``bench/public_pages.py`` and ``bench/submissions_http.py``.
"""

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _http import production_portal, wrk
from public_pages import pages
from submissions_http import Citizen, bench_citizens, bench_procedure, django_on, run

# Each public page's rate over the bare view's: 0.42 to 0.49 measured with the page cache, 0.03 to 0.07
# without it (docs/performance.md).
PAGE_FLOOR = 0.20
# Bare-view requests per submission: about 170 to 200 measured (4,500 bare requests/s, 23 to 29
# submissions/s); 230 to 290 before the submission's queries were cut.
SUBMISSION_CEILING = 400


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4, help="length of each load")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4, help="citizens submitting at once")
    parser.add_argument("--port", type=int, default=18790)
    args = parser.parse_args()
    with production_portal(port=args.port, workers=2, database="bench_budget", redis_db=5) as portal:
        django_on(portal, "http_settings")
        _version, documents = bench_procedure()
        citizens = [
            Citizen(portal.base, phone, documents, seed) for seed, phone in enumerate(bench_citizens(args.clients))
        ]
        for citizen in citizens:
            citizen.login()
            citizen.submit_one()  # each worker's first request loads its code: not timed
        paths = pages(portal)
        ratios = {name: [] for name in paths}
        costs = []
        for _round in range(args.rounds):
            bare = wrk(portal.url("/bench/bare/"), seconds=args.seconds)
            assert bare.bad == 0, bare
            for name, path in paths.items():
                load = wrk(portal.url(path), seconds=args.seconds)
                assert load.bad == 0, (name, load)
                ratios[name].append(load.requests_per_second / bare.requests_per_second)
            elapsed, results, _codes = run(citizens, args.seconds)
            costs.append(bare.requests_per_second / (len(results) / elapsed))
        from django.db import connection

        connection.close()  # so that the throw-away database can be dropped
    out = []
    print(f"{'figure':<46} {'ratio':>7} {'limit':>7}")
    for name, values in ratios.items():
        ratio = statistics.median(values)
        print(f"{name + ': rate × the bare view':<46} {ratio:7.2f} {'≥' + format(PAGE_FLOOR, '.2f'):>7}")
        if ratio < PAGE_FLOOR:
            out.append(name)
    cost = statistics.median(costs)
    print(f"{'a whole submission, in bare-view requests':<46} {cost:7.0f} {'≤' + str(SUBMISSION_CEILING):>7}")
    if cost > SUBMISSION_CEILING:
        out.append("submission")
    if out:
        print("OVER BUDGET: " + ", ".join(out))
        return 1
    print("within the budget")
    return 0


if __name__ == "__main__":
    sys.exit(main())

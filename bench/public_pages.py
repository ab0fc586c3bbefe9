"""Benchmark: the public pages against a bare view, through gunicorn with production settings.

    .venv/bin/python bench/public_pages.py [--seconds 10] [--rounds 3] [--connections 16] [--workers 2]
                                           [--database bench_public_pages]

PostgreSQL and Redis on this machine (a throw-away database with the demo data; see ``_http.py``) and
wrk. Each round loads the bare view (``/bench/bare/``: the full middleware, no template, no query) and
then every page for ``--seconds`` each; the figure is the median of the rounds, and each page's ratio is
its rate over the bare view's in the same round. Every answer must be 2xx (a fast error page would be
measuring the wrong thing). ``--floor`` makes it fail (exit 1) when a page's ratio falls below it: the
CI performance budget.
"""

import argparse
import re
import statistics
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _http import PROXY_HEADERS, production_portal, wrk


def fetch(url: str) -> str:
    request = urllib.request.Request(url, headers=PROXY_HEADERS)
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200, (url, answer.status)
        return answer.read().decode()


def pages(portal) -> dict[str, str]:
    """The pages a citizen reaches first, each checked to be the real page."""
    catalogue = fetch(portal.url("/thu-tuc/"))
    code = re.search(r'href="/thu-tuc/([^/"?]+)/"', catalogue).group(1)
    found = {
        "front page": "/",
        "catalogue": "/thu-tuc/",
        "procedure page": f"/thu-tuc/{code}/",
        "status lookup": "/tra-cuu/",
    }
    for path in found.values():
        page = fetch(portal.url(path))
        assert "<html" in page and "</html>" in page, path
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=18700)
    parser.add_argument("--database", default="bench_public_pages", help="the throw-away database (dropped after)")
    parser.add_argument("--floor", type=float, default=None, help="fail when a page's ratio is below this")
    args = parser.parse_args()
    with production_portal(port=args.port, workers=args.workers, database=args.database) as portal:
        paths = pages(portal)
        rates = {name: [] for name in ["bare view", *paths]}
        ratios = {name: [] for name in paths}
        latencies = {name: [] for name in rates}
        for _round in range(args.rounds):
            bare = wrk(portal.url("/bench/bare/"), seconds=args.seconds, connections=args.connections)
            assert bare.bad == 0, bare
            rates["bare view"].append(bare.requests_per_second)
            latencies["bare view"].append(bare.p50_ms)
            for name, path in paths.items():
                load = wrk(portal.url(path), seconds=args.seconds, connections=args.connections)
                assert load.bad == 0, (name, load)
                rates[name].append(load.requests_per_second)
                ratios[name].append(load.requests_per_second / bare.requests_per_second)
                latencies[name].append(load.p50_ms)
    print(
        f"gunicorn, {args.workers} workers, production settings, PostgreSQL; wrk {args.connections} connections, "
        f"{args.seconds} s per page, median of {args.rounds} rounds"
    )
    print(f"{'page':<16} {'req/s':>8} {'p50 ms':>8} {'× bare':>7}")
    for name, values in rates.items():
        ratio = f"{statistics.median(ratios[name]):.2f}" if name in ratios else "1.00"
        print(f"{name:<16} {statistics.median(values):8.0f} {statistics.median(latencies[name]):8.1f} {ratio:>7}")
    if args.floor is not None:
        low = {name: statistics.median(values) for name, values in ratios.items()}
        low = {name: ratio for name, ratio in low.items() if ratio < args.floor}
        if low:
            print(f"BELOW THE FLOOR {args.floor:.2f}: " + ", ".join(f"{n} {r:.2f}" for n, r in low.items()))
            return 1
        print(f"every page at or above the floor {args.floor:.2f}× the bare view")
    return 0


if __name__ == "__main__":
    sys.exit(main())

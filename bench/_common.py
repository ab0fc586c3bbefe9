"""Shared by the benchmarks: a throw-away test database (PostgreSQL when DATABASE_URL is set) and the
95th percentile."""

import math
from contextlib import contextmanager

from django.db import connection
from django.test.utils import setup_test_environment


@contextmanager
def throwaway_database():
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def p95(values) -> float:
    """The 95th percentile by the nearest-rank method (the value 95 % of samples do not exceed)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

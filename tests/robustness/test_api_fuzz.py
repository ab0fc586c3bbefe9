"""schemathesis against the API as its schema at /api/schema/ describes it, as an anonymous caller, a
citizen and a desk clerk (and a leader for the report operations, the only ones a leader adds): no
answer is a 5xx, every answer is one the schema declares (status code, content type, headers, body),
a schema-violating input is refused, and no operation that asks for a login answers without one.

The run is bounded (``API_FUZZ_EXAMPLES`` cases per operation and generation phase) and derandomized
with a fixed seed (``API_FUZZ_SEED``), so CI sees the same cases every time; docs/development.md says
how to run it longer. Half of the generated calls whose path is valid are aimed at real objects (the
caller's dossiers, a file, the procedure, every action name), so the operations' own code is reached,
not only their 404.
"""

import os
import time

from django.contrib.sessions.models import Session
from django.core import signals
from django.db import close_old_connections
from django.test import Client

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation

from dossiers.actions import ACTIONS_BY_NAME
from dossiers.models import Dossier
from onestop.wsgi import application
from tests.robustness.aim import aim_at

MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "60"))
SEED = int(os.environ.get("API_FUZZ_SEED", "20260116"))
CSRF_SECRET = "robustnesscsrfsecret0123456789ab"  # 32 letters and digits: a CSRF secret Django accepts
CONFIG = {
    "seed": SEED,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    # A schema-valid request may rightly be refused: a procedure code that is not in force, an action
    # the dossier's status does not allow. Those rules are the services', not the schema's.
    "checks": {"positive_data_acceptance": {"enabled": False}},
}
# Each logged-in role's session key is fixed in advance: some cases are generated when the test is
# collected, before any session exists; the test stores its user's session under this key.
SESSION_KEYS = {
    "citizen": "robustnesscitizensession00000001",
    "clerk": "robustnessclerksession0000000001",
    "leader": "robustnessleadersession000000001",
}


def _schema_for(role: str):
    """The API's schema as ``role`` calls it. A logged-in role sends its browser session (the session
    cookie, and the CSRF cookie and header SessionAuthentication asks of a write); an anonymous caller
    sends whatever credentials were generated (random cookies, HTTP Basic where it is on), or none."""
    loaded = schemathesis.openapi.from_wsgi("/api/schema/", application, config=schemathesis.Config.from_dict(CONFIG))
    if role in SESSION_KEYS:

        @loaded.auth(refresh_interval=None)
        class BrowserSession:
            def get(self, case, context):
                return SESSION_KEYS[role]

            def set(self, case, data, context):
                case.cookies = {**(case.cookies or {}), "sessionid": data, "csrftoken": CSRF_SECRET}
                case.headers = {**(case.headers or {}), "X-CSRFToken": CSRF_SECRET}

    return loaded


ANONYMOUS, CITIZEN, CLERK = _schema_for("anonymous"), _schema_for("citizen"), _schema_for("clerk")
# The report operations answer a unit's leaders only: a fourth caller for them.
LEADER = _schema_for("leader").include(path_regex="^/api/v1/reports/")
FUZZ = settings(suppress_health_check=list(HealthCheck), deadline=None)
CALLS: dict[str, int] = {}
STARTED = time.monotonic()


@pytest.fixture
def in_process_requests():
    """The WSGI handler closes the database connection after each request, which would end the test's
    transaction; Django's own test client disconnects the same receivers."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _log_in(portal, role: str) -> None:
    """A session of the role's user stored under the role's key, as a login through the pages makes one."""
    client = Client()
    client.force_login(getattr(portal, role))
    Session.objects.filter(session_key=client.session.session_key).update(session_key=SESSION_KEYS[role])


@pytest.fixture
def as_citizen(portal):
    _log_in(portal, "citizen")


@pytest.fixture
def as_clerk(portal):
    _log_in(portal, "clerk")


@pytest.fixture
def as_leader(portal):
    _log_in(portal, "leader")


def _real_values(portal) -> dict[str, list]:
    """Values of the portal's real objects, by the name of the parameter or field that takes them."""
    return {
        "reference": [str(d.reference) for d in (portal.submitted, portal.received, portal.draft)],
        "code": [portal.procedure.procedure.code],
        "procedure": [portal.procedure.procedure.code],
        "id": [str(portal.attachment.pk)],
        "document": [portal.procedure.documents.first().pk],
        "action": sorted(ACTIONS_BY_NAME),
        "agency": [portal.commune.code, portal.district.code],
        "parent": [portal.district.code],
    }


def _aim(case, portal) -> None:
    """Aim every other case at the portal's real objects (``tests.robustness.aim``)."""
    values = _real_values(portal)
    if not aim_at(case, values):
        return
    # An action aimed at a real dossier is sent with its current version, as a client that read it would.
    reference = (case.path_parameters or {}).get("reference")
    body_valid = not (case.meta and case.meta.is_negative_at(ParameterLocation.BODY))
    if (
        isinstance(case.body, dict)
        and "expected_version" in case.body
        and reference in values["reference"]
        and body_valid
    ):
        case.body["expected_version"] = Dossier.objects.get(reference=reference).version


def _call_and_check(case, role, portal):
    _aim(case, portal)
    CALLS[role] = CALLS.get(role, 0) + 1
    case.call_and_validate()


@ANONYMOUS.parametrize()
@FUZZ
def test_an_anonymous_caller_gets_answers_as_the_schema_says(case, portal, in_process_requests):
    _call_and_check(case, "anonymous", portal)


@CITIZEN.parametrize()
@FUZZ
def test_a_citizen_gets_answers_as_the_schema_says(case, portal, as_citizen, in_process_requests):
    _call_and_check(case, "citizen", portal)


@CLERK.parametrize()
@FUZZ
def test_a_clerk_gets_answers_as_the_schema_says(case, portal, as_clerk, in_process_requests):
    _call_and_check(case, "clerk", portal)


@LEADER.parametrize()
@FUZZ
def test_a_leader_gets_report_answers_as_the_schema_says(case, portal, as_leader, in_process_requests):
    _call_and_check(case, "leader", portal)


def teardown_module(module):
    """How many calls each role made and how long the module took (shown with ``-s``)."""
    print(f"\nAPI fuzz: {CALLS} calls in {time.monotonic() - STARTED:.0f} s")

"""What one action on a dossier costs the database: the clerk's fifty dossiers a day and the demo
history's thousands go through the same services, so each step reads the dossier once, the route once,
and writes what it records. The limits are today's counts: a change that adds a query to every action
shows here first."""

from django.conf import settings
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

import pytest

from accounts.constants import Role
from dossiers.models import Dossier
from dossiers.services import (
    DossierChanged,
    dossier_code_next,
    dossier_complete,
    dossier_hand_over,
    dossier_receive,
    dossier_return,
)
from tests.dossiers.conftest import at_once, pdf_upload, submit_online
from tests.factories import StaffMembershipFactory

pytestmark = pytest.mark.django_db


def _costs(action, **kwargs):
    with CaptureQueriesContext(connection) as queries:
        outcome = action(**kwargs)
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    return outcome, statements


def test_every_step_of_a_joint_dossier_costs_a_handful_of_queries(citizen, network, allowance):
    clerk, specialist, leader = network["clerk"], network["specialist"], network["leader"]
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])

    outcome, receive = _costs(dossier_receive, dossier=dossier, by=clerk)
    costs = {"receive": len(receive)}
    route_reads = []
    holder, hops = (
        clerk,
        [(network["department"], specialist), (network["district"], leader), (network["commune"], clerk)],
    )
    for n, (unit, person) in enumerate(hops, start=1):
        outcome, statements = _costs(
            dossier_hand_over, dossier=outcome.dossier, by=holder, to_agency=unit, to_user=person
        )
        costs[f"hand-over {n}"] = len(statements)
        route_reads.append(sum(sql.startswith("SELECT") and 'FROM "dossiers_dossierstep"' in sql for sql in statements))
        holder = person
    outcome, complete = _costs(dossier_complete, dossier=outcome.dossier, by=clerk, results=[pdf_upload("kq.pdf")])
    costs["complete"] = len(complete)
    outcome, returned = _costs(dossier_return, dossier=outcome.dossier, by=clerk, delivery="desk")
    costs["return"] = len(returned)

    # Each action locks the row once (with its version moved on in the action's own write), reads the
    # person's role where needed and the working calendar where it counts time, and writes its event,
    # message, step and slip (22, 21, 16, 16, 13 and 7 when every check read the row, its units and
    # the route again).
    assert costs == {
        "receive": 17,
        "hand-over 1": 10,
        "hand-over 2": 8,
        "hand-over 3": 8,
        "complete": 8,
        "return": 6,
    }, costs
    assert route_reads == [0, 0, 0]  # the steps the previous action left on the dossier, taken over
    assert outcome.dossier.status == "returned" and outcome.dossier.steps.count() == 4


def test_each_action_moves_the_version_on_once_and_a_stale_page_changes_nothing(citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    received = dossier_receive(dossier=dossier, by=network["clerk"]).dossier  # holds its units: one-statement lock
    seen = Dossier.objects.get(pk=dossier.pk).version
    assert received.version == seen

    handed = dossier_hand_over(
        dossier=received, by=network["clerk"], to_agency=network["department"], expected_version=seen
    ).dossier
    assert handed.version == seen + 1 == Dossier.objects.get(pk=dossier.pk).version
    with pytest.raises(DossierChanged):
        dossier_hand_over(dossier=received, by=network["clerk"], to_agency=network["department"], expected_version=seen)
    assert Dossier.objects.get(pk=dossier.pk).version == seen + 1  # the refused try left no trace
    assert dossier.steps.count() == 2


def test_a_copy_someone_else_acted_on_since_reads_the_steps_again(citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    received = dossier_receive(dossier=dossier, by=network["clerk"]).dossier  # holds its one step
    dossier_hand_over(
        dossier=received, by=network["clerk"], to_agency=network["department"], to_user=network["specialist"]
    )
    # The same old copy again (no version given): its steps are out of date, so they are read anew.
    dossier_hand_over(
        dossier=received, by=network["specialist"], to_agency=network["district"], to_user=network["leader"]
    )
    steps = list(dossier.steps.order_by("order").values_list("order", "name", "finished_at"))
    assert [(order, name) for order, name, _ in steps] == [(1, "Tiếp nhận"), (2, "Thẩm định"), (3, "Phê duyệt")]
    assert [finished is not None for *_, finished in steps] == [True, True, False]


def test_a_copy_left_by_an_action_that_was_undone_does_not_lend_its_steps(citizen, network, allowance):
    from django.db import transaction

    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    received = dossier_receive(dossier=dossier, by=network["clerk"]).dossier
    to_department = {"to_agency": network["department"], "to_user": network["specialist"]}
    with pytest.raises(RuntimeError), transaction.atomic():
        undone = dossier_hand_over(dossier=received, by=network["clerk"], **to_department).dossier
        raise RuntimeError("the rest of the request failed")
    # Someone else hands it on from their own page: the row's version is now the undone copy's again.
    dossier_hand_over(dossier=Dossier.objects.get(pk=dossier.pk), by=network["clerk"], **to_department)
    assert Dossier.objects.get(pk=dossier.pk).version == undone.version
    dossier_hand_over(
        dossier=undone, by=network["specialist"], to_agency=network["district"], to_user=network["leader"]
    )
    steps = list(dossier.steps.order_by("order").values_list("order", "name", "finished_at"))
    assert [(order, name) for order, name, _ in steps] == [(1, "Tiếp nhận"), (2, "Thẩm định"), (3, "Phê duyệt")]
    assert [finished is not None for *_, finished in steps] == [True, True, False]


def test_a_day_code_counter_is_made_then_moved_on(network):
    from datetime import date

    day = date(2026, 11, 27)
    codes = [dossier_code_next(agency=network["commune"], day=day) for _ in range(3)]
    assert codes == [f"000.12.22.H56-261127-000{n}" for n in (1, 2, 3)]
    assert dossier_code_next(agency=network["department"], day=day) == "000.04.22.H56-261127-0001"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_handing_on_the_same_dossier_at_once_one_wins_the_other_is_told(citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    received = dossier_receive(dossier=dossier, by=network["clerk"]).dossier  # holds its units: the plain lock
    second_clerk = StaffMembershipFactory(agency=network["commune"], role=Role.CLERK).user
    seen = received.version

    def hand_over(clerk):
        dossier_hand_over(
            dossier=received,
            by=clerk,
            to_agency=network["department"],
            to_user=network["specialist"],
            expected_version=seen,
        )

    assert at_once(hand_over, [network["clerk"], second_clerk]) == ["changed", "ok"]
    assert dossier.steps.count() == 2 and Dossier.objects.get(pk=dossier.pk).version == seen + 1


@pytest.mark.django_db(transaction=True)
def test_the_history_sets_no_savepoints_and_keeps_no_query_log_and_puts_both_back():
    from dossiers.demo_history import _own_transactions

    debug = settings.DEBUG
    with pytest.raises(RuntimeError), _own_transactions():
        assert settings.DEBUG is False
        assert connection._savepoint_allowed() is False
        raise RuntimeError("interrupted")
    assert debug == settings.DEBUG and "_savepoint_allowed" not in connections["default"].__dict__

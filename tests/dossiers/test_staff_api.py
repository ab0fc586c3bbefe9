from django.urls import reverse

import pytest

from dossiers.constants import Status
from tests.conftest import query_count
from tests.dossiers.conftest import pdf_upload, submit_online

pytestmark = pytest.mark.django_db


def _act(client, dossier, action, **data):
    """An action as a client that read the dossier just before sends it (its current version)."""
    dossier.refresh_from_db(fields=["version"])
    data.setdefault("expected_version", dossier.version)
    return client.post(reverse("api:dossier-action", args=[dossier.reference, action]), data)


def test_staff_take_a_dossier_through_its_route_by_the_api(client, citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    client.force_login(network["clerk"])
    assert client.get(reverse("api:dossier-actions", args=[dossier.reference])).json()["actions"] == [
        "receive",
        "request_completion",
        "refuse",
        "withdraw",
    ]
    body = _act(client, dossier, "receive", expected_status="submitted").json()
    assert (body["status"], body["national_status_code"]) == ("received", 2)
    target = f"a{network['department'].pk}u{network['specialist'].pk}"
    assert _act(client, dossier, "hand_over", target=target).json()["status"] == "processing"

    client.force_login(network["specialist"])
    queue = client.get(reverse("api:staff-queue"), {"mine": "true"}).json()
    assert [item["code"] for item in queue["results"]] == [dossier.code]
    body = _act(client, dossier, "complete", result=pdf_upload("quyet-dinh.pdf")).json()
    assert body["status"] == "done"

    client.force_login(network["clerk"])
    body = _act(client, dossier, "return_result", delivery="post", record="EMS EA123456789VN").json()
    assert (body["status"], body["national_status_code"]) == ("returned", 10)


def test_refusals_name_the_field_and_change_nothing(client, citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    client.force_login(network["clerk"])
    response = _act(client, dossier, "refuse", reason="")
    assert response.status_code == 400 and "reason" in response.json()
    response = _act(client, dossier, "complete", result=pdf_upload())
    assert response.status_code == 400
    client.force_login(network["specialist"])
    response = _act(client, dossier, "receive")
    assert response.status_code == 404  # the department has never had it: not visible
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED and dossier.events.count() == 1


def test_a_stale_expected_status_is_refused(client, citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    client.force_login(network["clerk"])
    seen = dossier.version
    _act(client, dossier, "receive", expected_status="submitted", expected_version=seen)
    response = _act(client, dossier, "receive", expected_status="submitted", expected_version=seen)
    assert response.status_code == 409
    assert "Người khác vừa xử lý" in str(response.json())


def test_an_action_without_the_version_is_refused_with_a_clear_message_and_changes_nothing(
    client, citizen, network, allowance
):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    client.force_login(network["clerk"])
    url = reverse("api:dossier-action", args=[dossier.reference, "receive"])
    for body in ({}, {"expected_status": "submitted"}, {"expected_version": "abc"}):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400, body
        assert "phiên bản" in response.json()["expected_version"][0]
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED and dossier.events.count() == 1 and dossier.version == 0
    # The version is part of what the API gives of a dossier, so a client can send it back.
    listed = client.get(reverse("api:staff-queue")).json()["results"][0]
    assert listed["version"] == 0
    assert _act(client, dossier, "receive", expected_version=listed["version"]).status_code == 200


def test_citizens_cannot_read_the_queue(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("api:staff-queue")).status_code == 403


def test_the_queue_api_uses_the_same_number_of_queries_for_5_and_50(client, network, fill_queue):
    client.force_login(network["clerk"])
    fill_queue(5)
    with_5 = query_count(client, reverse("api:staff-queue"))
    fill_queue(45)
    assert query_count(client, reverse("api:staff-queue")) == with_5


def test_the_staff_endpoints_are_in_the_openapi_schema(client):
    paths = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    assert {"/api/v1/staff/queue/", "/api/v1/dossiers/{reference}/actions/{action}/"} <= set(paths)


def test_a_json_list_of_missing_documents_becomes_the_slips_lines(client, citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    client.force_login(network["clerk"])
    client.post(
        reverse("api:dossier-action", args=[dossier.reference, "request_completion"]),
        {"missing": ["Sổ hộ khẩu", "CCCD"], "reason": "Thiếu", "expected_version": dossier.version},
        content_type="application/json",
    )
    assert dossier.slips.get().data["missing"] == ["Sổ hộ khẩu", "CCCD"]

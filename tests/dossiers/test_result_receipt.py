"""A result delivered online is received by the applicant's explicit "Receive the result" (a POST with
CSRF), which returns the dossier (national code 10) once; downloading a file never changes a dossier,
so a link scanner or a browser's prefetch cannot return it."""

from django.test import Client
from django.urls import reverse

import pytest

from dossiers.constants import Status
from dossiers.models import Dossier
from dossiers.services import dossier_complete, dossier_fee_paid_at_desk, dossier_hand_over, dossier_receive
from tests.dossiers.conftest import real_pdf_upload, submit_online

pytestmark = pytest.mark.django_db


def _ready(network, citizen, allowance, delivery="online") -> Dossier:
    """A dossier whose signed result is ready and whose fee is paid, delivered as ``delivery``."""
    clerk = network["clerk"]
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    Dossier.objects.filter(pk=dossier.pk).update(result_delivery=delivery)
    dossier = dossier_receive(dossier=dossier, by=clerk).dossier
    dossier = dossier_hand_over(
        dossier=dossier, by=clerk, to_agency=network["commune"], to_user=clerk, reason="Một cửa tự xử lý"
    ).dossier
    dossier = dossier_complete(dossier=dossier, by=clerk, results=[real_pdf_upload("ket-qua.pdf")]).dossier
    return dossier_fee_paid_at_desk(dossier=dossier, by=clerk).dossier


@pytest.fixture
def ready(pki, network, citizen, allowance):
    return _ready(network, citizen, allowance)


def _returned_events(dossier) -> int:
    return dossier.events.filter(to_status=Status.RETURNED).count()


def test_getting_the_result_file_again_and_again_never_returns_the_dossier(client, citizen, network, ready):
    result = ready.attachments.get(is_result=True)
    url = reverse("dossiers:attachment", args=[result.pk])
    assert client.get(url).status_code == 302  # a link scanner without the applicant's session
    client.force_login(citizen)
    for _attempt in range(3):  # the applicant's browser, its prefetch, a preview in a mail app
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == ready.get_absolute_url()
        assert client.head(url).status_code == 302
    page = client.get(ready.get_absolute_url()).content.decode()
    assert "Bấm “Nhận kết quả” để nhận kết quả và tải về." in page
    staff = Client()
    staff.force_login(network["clerk"])
    assert staff.get(url).status_code == 200  # staff read the file; nothing changes either
    ready.refresh_from_db()
    assert ready.status == Status.DONE and ready.returned_at is None
    assert _returned_events(ready) == 0


def test_the_dossier_page_offers_a_receive_button_that_posts_with_csrf(client, citizen, ready):
    result = ready.attachments.get(is_result=True)
    client.force_login(citizen)
    page = client.get(ready.get_absolute_url()).content.decode()
    banner = page.split('data-testid="result-banner"')[1].split("</div>")[0]
    action = reverse("dossiers:result_receive", args=[result.pk])
    form = banner.split(f'action="{action}"')[0].rsplit("<form", 1)[1] + banner.split(f'action="{action}"')[1]
    assert 'method="post"' in form and 'name="csrfmiddlewaretoken"' in form
    assert "Nhận kết quả: ket-qua.pdf" in banner and 'data-testid="banner-download"' not in banner
    assert "hồ sơ được ghi nhận là đã trả kết quả cho bạn" in banner
    documents = page.split('id="files-title"')[1]
    assert f'action="{action}"' in documents and f'href="{reverse("dossiers:attachment", args=[result.pk])}"' not in (
        documents
    )


def test_receiving_returns_the_dossier_once_and_then_the_file_downloads(client, citizen, ready):
    result = ready.attachments.get(is_result=True)
    client.force_login(citizen)
    receive = reverse("dossiers:result_receive", args=[result.pk])
    response = client.post(receive)
    assert response.status_code == 302 and response["Location"] == reverse("dossiers:attachment", args=[result.pk])
    ready.refresh_from_db()
    assert ready.status == Status.RETURNED and ready.returned_at is not None
    assert ready.result_delivery_note.startswith("online")
    download = client.get(response["Location"])
    assert download.status_code == 200 and b"".join(download.streaming_content)[:4] == b"%PDF"
    assert "ket-qua.pdf" in download["Content-Disposition"]

    assert client.post(receive).status_code == 302  # pressed twice, or the page sent again
    assert _returned_events(ready) == 1
    page = client.get(ready.get_absolute_url()).content.decode()
    assert 'data-testid="banner-download"' in page and 'data-testid="result-receive"' not in page


def test_receiving_is_a_post_with_its_csrf_token_by_the_applicant_only(client, citizen, network, ready):
    result = ready.attachments.get(is_result=True)
    receive = reverse("dossiers:result_receive", args=[result.pk])
    client.force_login(citizen)
    assert client.get(receive).status_code == 405
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(citizen)
    assert forged.post(receive).status_code == 403  # another site's form
    staff = Client()
    staff.force_login(network["clerk"])
    assert staff.post(receive).status_code == 302  # the clerk's press is not the applicant's receipt
    ready.refresh_from_db()
    assert ready.status == Status.DONE and _returned_events(ready) == 0


def test_someone_else_or_an_unpaid_fee_gets_no_receipt(client, citizen, network, allowance, pki):
    from tests.factories import UserFactory

    ready = _ready(network, citizen, allowance)
    result = ready.attachments.get(is_result=True)
    client.force_login(UserFactory())
    assert client.post(reverse("dossiers:result_receive", args=[result.pk])).status_code == 404
    Dossier.objects.filter(pk=ready.pk).update(fee_paid_at=None)
    client.force_login(citizen)
    assert client.post(reverse("dossiers:result_receive", args=[result.pk])).status_code == 404
    ready.refresh_from_db()
    assert ready.status == Status.DONE and _returned_events(ready) == 0


def test_a_result_collected_at_the_desk_downloads_freely_and_stays_to_collect(client, citizen, network, allowance, pki):
    dossier = _ready(network, citizen, allowance, delivery="desk")
    result = dossier.attachments.get(is_result=True)
    client.force_login(citizen)
    page = client.get(dossier.get_absolute_url()).content.decode()
    assert 'data-testid="banner-download"' in page and 'data-testid="result-receive"' not in page
    assert client.get(reverse("dossiers:attachment", args=[result.pk])).status_code == 200
    dossier.refresh_from_db()
    assert dossier.status == Status.DONE


def test_through_the_api_a_download_never_returns_the_dossier_and_receiving_does_once(client, citizen, ready):
    result = ready.attachments.get(is_result=True)
    client.force_login(citizen)
    file_url = reverse("api:attachment-file", args=[result.pk])
    for _attempt in range(3):
        response = client.get(file_url)
        assert response.status_code == 409 and "POST" in response.json()["detail"]
    ready.refresh_from_db()
    assert ready.status == Status.DONE and _returned_events(ready) == 0
    assert client.get(reverse("api:result-receive", args=[result.pk])).status_code == 405
    for _attempt in range(2):  # a double tap
        response = client.post(reverse("api:result-receive", args=[result.pk]))
        assert response.status_code == 200 and response.json()["file"].endswith(file_url)
    assert client.get(file_url).status_code == 200
    ready.refresh_from_db()
    assert ready.status == Status.RETURNED and _returned_events(ready) == 1

"""Satisfaction: rated once per returned dossier, online or on the desk's tablet; feeds the reports."""

from django.urls import reverse

import pytest

from dossiers.models import Rating
from dossiers.services import dossier_complete, dossier_hand_over, dossier_receive, dossier_return
from tests.dossiers.conftest import pdf_upload, submit_online

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(citizen, network, allowance):
    dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    dossier = dossier_receive(dossier=dossier, by=network["clerk"]).dossier
    dossier = dossier_hand_over(
        dossier=dossier,
        by=network["clerk"],
        to_agency=network["commune"],
        to_user=network["clerk"],
        reason="Bộ phận một cửa tự xử lý",
    ).dossier
    dossier = dossier_complete(dossier=dossier, by=network["clerk"], results=[pdf_upload("kq.pdf")]).dossier
    return dossier_return(dossier=dossier, by=network["clerk"], delivery="desk").dossier


def test_the_applicant_rates_once_online(client, citizen, returned):
    client.force_login(citizen)
    assert 'data-testid="rating"' in client.get(returned.get_absolute_url()).content.decode()
    response = client.post(
        reverse("dossiers:rate", args=[returned.reference]), {"level": "satisfied", "comment": "Nhanh"}, follow=True
    )
    assert "Cảm ơn bạn đã đánh giá" in response.content.decode()
    rating = Rating.objects.get(dossier=returned)
    assert (rating.level, rating.comment, rating.channel) == ("satisfied", "Nhanh", "online")
    again = client.post(reverse("dossiers:rate", args=[returned.reference]), {"level": "not_satisfied"}, follow=True)
    assert "đã được đánh giá" in again.content.decode()
    assert Rating.objects.get(dossier=returned).level == "satisfied"  # the second changed nothing


def test_the_desk_tablet_page_takes_the_citizens_rating(client, network, returned):
    client.force_login(network["clerk"])
    page = client.post(reverse("dossiers:rate_desk", args=[returned.reference]), {"level": "very_satisfied"})
    assert 'data-testid="rating-thanks"' in page.content.decode()
    rating = Rating.objects.get(dossier=returned)
    assert (rating.channel, rating.recorded_by) == ("desk", network["clerk"])  # audited: who held the tablet


def test_a_dossier_not_yet_returned_or_someone_else_cannot_rate(client, citizen, network, allowance, returned):
    from tests.factories import UserFactory

    open_dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
    client.force_login(citizen)
    client.post(reverse("dossiers:rate", args=[open_dossier.reference]), {"level": "satisfied"})
    client.force_login(network["other_clerk"])
    assert (
        client.post(reverse("dossiers:rate_desk", args=[returned.reference]), {"level": "satisfied"}).status_code == 404
    )
    client.force_login(UserFactory())
    assert client.post(reverse("dossiers:rate", args=[returned.reference]), {"level": "satisfied"}).status_code == 404
    assert not Rating.objects.exists()


def test_ratings_and_online_payments_feed_the_indicators(citizen, network, allowance, returned):
    from dossiers.services import dossier_rate
    from reports.indicators import indicator_table
    from reports.periods import period_range

    dossier_rate(dossier=returned, by=citizen, level="very_satisfied", channel="online")
    from django.utils import timezone

    today = timezone.localdate(returned.finished_at)
    table = indicator_table(agency=network["district"], period=period_range(today, today))
    assert table.report.total.counts["rated"] == 1 and table.rates(table.report.total)["satisfaction_rate"] == 100


def test_digitisation_is_recorded_for_what_is_received_and_issued(citizen, network, allowance, returned):
    assert returned.received_electronic and returned.result_electronic

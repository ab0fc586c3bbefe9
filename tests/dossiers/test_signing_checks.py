"""Agencies that offer level-4 procedures but cannot sign their results are named, before a citizen
finds out: by ``manage.py check --deploy`` (an error) and by ``/healthz`` (a warning)."""

from django.core import checks
from django.db import ProgrammingError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from dossiers.signing import demo_pki_create
from procedures.constants import ServiceLevel
from tests.factories import AgencyFactory, published_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies(settings, tmp_path):
    """Four agencies, of which only the first should be reported."""
    settings.SIGNING_DIR = tmp_path / "signing"
    unsigned = AgencyFactory(code="000.12.22.H56", name="UBND xã Xuân Du")
    signed = AgencyFactory(code="000.13.22.H56", name="UBND xã Cán Khê")
    partly_online = AgencyFactory(code="000.14.22.H56", name="UBND xã Xuân Thái")
    closed = AgencyFactory(code="000.15.22.H56", name="UBND xã Hải Vân", is_active=False)
    published_procedure(agencies=[unsigned, signed, closed], service_level=ServiceLevel.FULL)
    published_procedure(agencies=[partly_online], service_level=ServiceLevel.PARTIAL)
    demo_pki_create(agencies=[signed])
    return {"unsigned": unsigned, "signed": signed, "partly_online": partly_online, "closed": closed}


def signing_messages() -> list[checks.CheckMessage]:
    return [m for m in checks.run_checks(include_deployment_checks=True) if m.id.startswith("dossiers.")]


def test_check_deploy_names_exactly_the_agency_that_cannot_sign(agencies):
    [error] = signing_messages()
    assert error.id == "dossiers.E001" and error.level == checks.ERROR
    assert "UBND xã Xuân Du (000.12.22.H56)" in error.msg
    for other in ("signed", "partly_online", "closed"):
        assert agencies[other].code not in error.msg
    assert "000.12.22.H56.key.pem" not in error.hint and "<agency code>.key.pem" in error.hint
    assert "ca.cert.pem" in error.hint


def test_the_error_goes_once_the_agency_has_its_key_and_certificate(agencies):
    demo_pki_create(agencies=[agencies["unsigned"]])
    assert signing_messages() == []


def test_check_deploy_on_a_database_it_cannot_read_warns_instead_of_crashing(agencies, monkeypatch):
    from dossiers import signing

    def not_migrated():
        raise ProgrammingError('relation "accounts_agency" does not exist')

    monkeypatch.setattr(signing, "agencies_without_signing", not_migrated)
    [warning] = signing_messages()
    assert warning.id == "dossiers.W001" and warning.level == checks.WARNING
    assert "Could not look" in warning.msg and "migrate" in warning.hint


@pytest.fixture
def healthz(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_BROKER_URL = "memory://"
    return lambda: client.get(reverse("healthz"))


def test_healthz_warns_about_the_agency_and_stays_healthy(agencies, healthz):
    response = healthz()
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["warnings"] == [
        "UBND xã Xuân Du (000.12.22.H56) có thủ tục trực tuyến toàn trình (mức 4) "
        "nhưng chưa có khóa và chứng thư số để ký kết quả"
    ]


def test_healthz_says_nothing_more_once_every_agency_can_sign(agencies, healthz):
    demo_pki_create(agencies=[agencies["unsigned"]])
    assert "warnings" not in healthz().json()


@pytest.mark.parametrize("count", [5, 50])
def test_healthz_looks_with_one_query_however_many_agencies(healthz, settings, tmp_path, count):
    from django.db import connection

    settings.SIGNING_DIR = tmp_path / "signing"
    published_procedure(agencies=AgencyFactory.create_batch(count), service_level=ServiceLevel.FULL)
    with CaptureQueriesContext(connection) as queries:
        warnings = healthz().json()["warnings"]
    assert len(warnings) == count
    assert len(queries) == 2  # the database's SELECT 1, then the agencies

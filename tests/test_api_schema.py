from django.urls import reverse

import pytest

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_and_its_browsable_page_are_served(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Một cửa điện tử API"
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200
    assert b"swagger-ui" in page.content

"""Errors are the site's own pages, with its navigation and a way on; the API answers in JSON."""

from unittest.mock import patch

from tests.factories import ServiceFactory


def test_a_missing_page_is_the_sites_own_page_with_its_navigation(colleague_client):
    response = colleague_client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in body
    assert 'href="/portfolio/"' in body  # the navigation
    assert 'href="/"' in body  # a way on


def test_a_missing_service_is_the_same_page(colleague_client):
    response = colleague_client.get("/services/nothing-here/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_refusal_says_why_and_keeps_the_navigation(colleague_client):
    service = ServiceFactory()
    response = colleague_client.get(f"/services/{service.slug}/edit/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "You cannot do this" in body and "ask an org admin" in body
    assert 'href="/portfolio/"' in body
    assert "403 Forbidden" not in body


def test_a_fault_is_the_sites_own_page(colleague_client):
    colleague_client.raise_request_exception = False
    with patch("services.views.catalogue", side_effect=RuntimeError("disk on fire")):
        response = colleague_client.get("/services/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Sorry, something went wrong" in body and "disk on fire" not in body
    assert 'href="/"' in body


def test_an_unknown_api_address_answers_in_json(client):
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no API endpoint at /api/v1/no-such-endpoint."}

import pytest
from django.urls import reverse

from tests.factories import ServiceFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls():
    service = ServiceFactory()
    team = TeamFactory()
    return [
        reverse("services:catalogue"),
        reverse("services:service", args=[service.slug]),
        reverse("services:organisations"),
        reverse("services:organisation", args=[team.directorate.organisation.slug]),
        reverse("services:directorate", args=[team.directorate.pk]),
        reverse("services:team", args=[team.pk]),
    ]


def test_every_page_sends_signed_out_people_to_sign_in(client, urls):
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('login')}?next={url}"


def test_every_page_opens_for_a_signed_in_colleague(colleague_client, urls):
    for url in urls:
        assert colleague_client.get(url).status_code == 200, url


def test_the_front_page_is_the_persons_home(colleague_client):
    response = colleague_client.get("/")
    assert response.status_code == 200
    assert response.resolver_match.url_name == "home"


def test_sign_in_page_is_open_and_labelled(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'<label class="govuk-label" for="id_username">' in response.content


def test_signing_in_lands_on_the_home(client):
    UserFactory(username="priya", password="correct horse")
    response = client.post(reverse("login"), {"username": "priya", "password": "correct horse"})
    assert response["Location"] == reverse("home")


def test_wrong_password_shows_an_error_summary(client):
    UserFactory(username="priya", password="correct horse")
    response = client.post(reverse("login"), {"username": "priya", "password": "wrong"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"Please enter a correct username and password" in response.content


def test_signing_out_needs_a_post_and_ends_the_session(colleague_client):
    response = colleague_client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert colleague_client.get(reverse("services:catalogue")).status_code == 302

"""The data-quality page: findings by kind, filtered, as CSV, only for services one may see."""

import csv
import io

import pytest
from django.urls import reverse

from performance.imports.gc_inventory import import_gc_inventory, read_files
from performance.models import DataQualityFinding
from services.models import Service
from tests.data import CASES

pytestmark = pytest.mark.django_db
URL = reverse("performance:data_quality")


@pytest.fixture
def imported():
    import_gc_inventory(read_files(CASES))
    Service.objects.filter(slug="gc-d1").update(restricted=True, name="Secret IT requests")


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(URL).status_code == 302


def test_findings_are_counted_by_kind_and_listed(colleague_client, imported):
    page = colleague_client.get(URL)
    assert page.status_code == 200
    counts = {label: n for _, label, n in page.context["counts"]}
    # gc-d1 is restricted: its negative-spending and over-100 % findings are not shown.
    assert counts == {
        "Programme code belongs to another organisation": 1,
        "Period not ended when the data was published": 1,
        "Service id reused": 1,
    }
    text = page.content.decode()
    assert "Canada Revenue Agency" in text and "si_2024.csv line 2" in text
    assert "Secret IT requests" not in text and "gc-d1" not in text


def test_filters_by_kind_and_service(colleague_client, imported):
    page = colleague_client.get(URL, {"kind": "service_id_reused"})
    assert [f.service.slug for f in page.context["page"].object_list] == ["gc-d3"]
    page = colleague_client.get(URL, {"service": "gc-l1"})
    assert [f.kind for f in page.context["page"].object_list] == ["programme_elsewhere"]
    assert page.context["service"].slug == "gc-l1"
    bad = colleague_client.get(URL, {"kind": "nonsense"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()


def test_csv_is_what_the_page_shows(colleague_client, imported):
    response = colleague_client.get(reverse("performance:data_quality_csv"))
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines[0][:4] == ["service", "service name", "organisation", "kind"]
    assert sorted(line[0] for line in lines[1:]) == ["gc-d2", "gc-d3", "gc-l1"]


def test_the_leader_of_a_restricted_service_sees_its_findings(client, imported):
    from tests.factories import UserFactory

    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    page = client.get(URL, {"service": "gc-d1"})
    assert {f.kind for f in page.context["page"].object_list} == {
        "negative_spending",
        "performance_over_100",
    }


def test_dashboard_and_service_page_say_how_many_findings(colleague_client, imported):
    for url in [
        reverse("performance:dashboard", args=["gc-l1"]),
        reverse("services:service", args=["gc-l1"]),
    ]:
        text = colleague_client.get(url).content.decode()
        assert "Data quality:" in text and "1 finding</a>" in text
    assert DataQualityFinding.objects.filter(service__slug="gc-c1").count() == 0
    text = colleague_client.get(reverse("performance:dashboard", args=["gc-c1"])).content.decode()
    assert "Data quality:" not in text


def test_a_figure_a_finding_questions_is_marked_on_its_tile(client, imported):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = client.get(reverse("performance:dashboard", args=["gc-d1"]))
    tile = next(t for t in page.context["tiles"] if t.name == "Resolve within a day")
    assert (tile.status, tile.questioned) == ("on_target", "Performance over 100 %")
    assert "Questioned" in page.content.decode()
    earlier = client.get(
        reverse("performance:dashboard", args=["gc-d1"]), {"from": "2022-04-01", "to": "2023-03-31"}
    )
    tile = next(t for t in earlier.context["tiles"] if t.name == "Resolve within a day")
    assert (tile.status, tile.questioned) == ("off_target", "")  # 0.5 in 2022-23: no finding


def test_an_empty_kind_says_so_and_kind_links_do_not_repeat(colleague_client, imported):
    page = colleague_client.get(URL, {"kind": "volumes_contradict"})
    text = page.content.decode()
    assert "No findings of this kind here." in text
    assert "kind=volumes_contradict&amp;kind=" not in text
    assert 'href="?kind=service_id_reused"' in text

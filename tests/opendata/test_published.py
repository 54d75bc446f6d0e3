"""Open performance data: publishing, the public pages and downloads (signed out), what never
appears in them, and the GC inventory files' round trip through ``import_gc_inventory``."""

import csv
import io
import json
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions.models import Decision
from opendata.published import inventory_id, published_services, years_of
from performance.imports.gc_inventory import import_gc_inventory, read_files
from performance.models import FrictionPoint, ReviewNarrative
from services.actions import service_access_sync
from services.models import Directorate, Organisation, Service, ServiceLeader, Team
from tests.data import EXTRACT, FULL
from tests.factories import (
    CostLineFactory,
    MeasurementFactory,
    MetricFactory,
    PersonFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def grants():
    """Published, with a fiscal year 2024-25 of figures: 300 digital and 100 phone
    transactions from April to June, 50 digital in July; one standard (target 80 %,
    performance 90 %); 1,000 CAD of programme spending; 600 CAD of staff cost."""
    service = ServiceFactory(
        name="Grants", slug="grants", published=True, organisation__currency="CAD"
    )
    for channel, value, start, end in [
        ("digital", 300, date(2024, 4, 1), date(2024, 6, 30)),
        ("phone", 100, date(2024, 4, 1), date(2024, 6, 30)),
        ("digital", 50, date(2024, 7, 1), date(2024, 7, 31)),
    ]:
        MeasurementFactory(
            metric=MetricFactory(service=service, key="transactions"),
            channel=channel,
            value=Decimal(value),
            period_start=start,
            period_end=end,
        )
    standard = MetricFactory(
        service=service,
        key="standard-s1",
        name="Decide within 30 days",
        unit="share meeting the standard",
        higher_is_better=True,
        target=Decimal("0.8"),
    )
    MeasurementFactory(
        metric=standard,
        value=Decimal("0.9"),
        period_start=date(2024, 4, 1),
        period_end=date(2025, 3, 31),
    )
    for category, amount in (("programme", "1000"), ("staff", "600")):
        CostLineFactory(
            service=service,
            currency="CAD",
            category=category,
            amount=Decimal(amount),
            period_start=date(2024, 4, 1),
            period_end=date(2025, 3, 31),
        )
    return service


def test_only_a_service_that_is_not_restricted_can_be_published():
    service = ServiceFactory(restricted=True)
    service.published = True
    with pytest.raises(ValidationError, match="A restricted service cannot be published"):
        service.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.filter(pk=service.pk).update(restricted=True, published=True)


def test_a_leader_publishes_their_service(client):
    service = ServiceFactory(name="Grants", slug="grants")
    user = UserFactory(username="lead")
    ServiceLeaderFactory(service=service, person=PersonFactory(user=user))
    service_access_sync()
    client.force_login(user)
    url = reverse("services:service_edit", args=[service.slug])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    refused = client.post(url, {**data, "published": "on", "restricted": "on"})
    assert "A restricted service cannot be published" in refused.content.decode()
    data.pop("restricted", None)
    assert client.post(url, {**data, "published": "on"}).status_code == 302
    service.refresh_from_db()
    assert service.published and service.history.first().history_user == user


def test_the_published_figures_of_each_fiscal_year(grants, client):
    [year] = years_of(grants)
    row = year.row()
    assert row["fiscal_year"] == "2024-2025"
    assert row["transactions"] == Decimal(450)
    assert row["digital_take_up"] == Decimal(350) / Decimal(450)
    assert row["programme_spending"] == Decimal(1000)
    # Cost to serve (the staff cost; programme spending is left out) over transactions.
    assert row["cost_per_transaction"] == Decimal(600) / Decimal(450)
    assert (row["standards_met"], row["standards_with_target"]) == (1, 1)

    # Signed out, as anyone.
    page = client.get(reverse("opendata:service", args=["grants"]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "2024-2025" in body and "450" in body and "77.8%" in body and "1 of 1" in body
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("opendata:service_csv", args=["grants"])).content.decode()
            )
        )
    )
    assert rows == [
        {
            "service": "grants",
            "fiscal_year": "2024-2025",
            "transactions": "450",
            "digital_take_up": str(Decimal(350) / Decimal(450)),
            "completion_rate": "",
            "user_satisfaction": "",
            "cost_per_transaction": str(Decimal(600) / Decimal(450)),
            "programme_spending": "1000",
            "currency": "CAD",
            "standards_met": "1",
            "standards_with_target": "1",
        }
    ]
    data = json.loads(client.get(reverse("opendata:service_json", args=["grants"])).content)
    assert data["years"][0]["standards"] == [
        {"name": "Decide within 30 days", "target": "0.8", "performance": "0.9", "met": True}
    ]
    assert data["data_up_to"] == "2025-03-31"


def test_the_open_portfolio_lists_published_services_only(grants, client):
    ServiceFactory(name="Unpublished licences", slug="licences")
    body = client.get(reverse("opendata:portfolio")).content.decode()
    assert "Grants" in body and "Unpublished licences" not in body
    assert "1 published service" in body
    assert client.get(reverse("opendata:service", args=["licences"])).status_code == 404
    si = client.get(reverse("opendata:gc_file", args=["si_2024.csv"])).content.decode()
    [row] = csv.DictReader(io.StringIO(si))
    assert (row["service_id"], row["fiscal_yr"]) == ("grants", "2024-2025")
    assert (row["num_applications_online"], row["num_applications_by_phone"]) == ("350", "100")
    assert client.get(reverse("opendata:gc_file", args=["secrets.csv"])).status_code == 404


def test_nothing_private_or_unpublished_is_ever_published(client):
    call_command("seed_demo", stdout=StringIO())
    Service.objects.filter(restricted=False).update(published=True)
    hidden = {
        "restricted": list(Service.objects.filter(restricted=True).values_list("name", flat=True)),
        "people": list(ServiceLeader.objects.values_list("person__name", flat=True)),
        "friction": list(FrictionPoint.objects.values_list("title", flat=True)),
        "decisions": list(Decision.objects.values_list("title", flat=True)),
        "narratives": [t[:40] for t in ReviewNarrative.objects.values_list("text", flat=True)],
    }
    assert hidden["restricted"] and hidden["people"] and hidden["friction"] and hidden["decisions"]
    pages = [reverse("opendata:portfolio")]
    for service in published_services():
        pages += [
            reverse(name, args=[service.slug])
            for name in ("opendata:service", "opendata:service_csv")
        ]
        pages.append(reverse("opendata:service_json", args=[service.slug]))
    pages += [
        reverse("opendata:gc_file", args=[name])
        for name in ("si_2024.csv", "ss_2024.csv", "rbpo.csv", "org_var.csv")
    ]
    for url in pages:
        response = client.get(url)  # signed out
        assert response.status_code == 200, url
        text = response.content.decode()
        for kind, values in hidden.items():
            leaked = [v for v in values if v and v in text]
            assert not leaked, f"{url} shows {kind}: {leaked}"
    restricted = Service.objects.filter(restricted=True).first()
    assert client.get(reverse("opendata:service", args=[restricted.slug])).status_code == 404


def carried(services) -> dict:
    """What the GC inventory's files carry of each published service, year by year:
    transactions, digital take-up, phone enquiries, programme spending in CAD, standards."""
    found = {}
    for service in services:
        for year in years_of(service):
            s = year.summary
            found[inventory_id(service), year.label] = (
                s.outcomes.transactions,
                s.outcomes.digital_take_up,
                s.outcomes.contacts,
                s.costs.programme if s.costs.currency == "CAD" else None,
                sorted((x.name, str(x.target), str(x.performance)) for x in year.standards),
            )
    return found


def round_trip(tmp_path: Path) -> tuple[dict, dict]:
    """Publish every open service, export the inventory's files, empty the database of the
    organisation and its services, import the files, and say what each carried."""
    Service.objects.filter(restricted=False).update(published=True)
    before = carried(published_services())
    call_command("export_open_data", str(tmp_path), stdout=StringIO())
    Decision.objects.update(supersedes=None)
    Decision.objects.all().delete()
    Service.objects.all().delete()
    Team.objects.all().delete()
    Directorate.objects.update(parent=None)
    Directorate.objects.all().delete()
    Organisation.objects.all().delete()
    import_gc_inventory(read_files(tmp_path))
    Service.objects.update(published=True)
    return before, carried(published_services())


def test_the_demo_round_trips_through_the_gc_inventory_files(tmp_path):
    call_command("seed_demo", stdout=StringIO())
    before, after = round_trip(tmp_path)
    assert len(before) > 10
    assert after == before


def test_the_gc_extract_round_trips(tmp_path):
    import_gc_inventory(read_files(EXTRACT))
    before, after = round_trip(tmp_path)
    assert len(before) == 5
    assert after == before


@pytest.mark.skipif(not FULL.exists(), reason="the shared GC data folder is not beside the project")
def test_the_full_gc_inventory_round_trips(tmp_path):
    import_gc_inventory(read_files(FULL))
    before, after = round_trip(tmp_path)
    assert len(before) > 1_500
    assert after == before


def test_the_open_portfolio_costs_the_same_queries_for_more_services(
    grants, client, django_assert_max_num_queries
):
    url = reverse("opendata:portfolio")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(5):
        other = ServiceFactory(name=f"Permits {n}", published=True)
        MeasurementFactory(
            metric=MetricFactory(service=other, key="transactions"),
            channel="digital",
            period_start=date(2024, 5, 1),
            period_end=date(2024, 5, 31),
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 6


def test_satisfaction_is_a_score_and_a_standard_without_a_figure_is_not_judged(grants, client):
    MeasurementFactory(
        metric=MetricFactory(service=grants, key="user_satisfaction"),
        value=Decimal("80.7"),
        period_start=date(2024, 4, 1),
        period_end=date(2024, 6, 30),
    )
    MetricFactory(
        service=grants,
        key="standard-s2",
        name="Answer within a day",
        unit="share meeting the standard",
        higher_is_better=True,
        target=Decimal("0.95"),
    )
    body = client.get(reverse("opendata:service", args=["grants"])).content.decode()
    assert "80.7 out of 100" in body
    assert "Answer within a day: No data against a target of 95.0%</li>" in body

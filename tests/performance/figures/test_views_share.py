from decimal import Decimal as D
from unittest.mock import patch

import pytest
from django.urls import reverse

from tests.factories import (
    JAN,
    DirectorateFactory,
    OrganisationFactory,
    ServiceFactory,
    StageFactory,
    TeamFactory,
    cost,
)

pytestmark = pytest.mark.django_db
Q1 = {"from": "2026-01-01", "to": "2026-03-31"}


def test_an_organisations_share_of_each_service_it_takes_part_in(colleague_client):
    payer = OrganisationFactory(name="Revenue")
    ours = TeamFactory(directorate=DirectorateFactory(organisation=payer), name="Assessors")
    theirs = TeamFactory(name="Payments")
    shared = ServiceFactory(name="Shared")
    StageFactory(service=shared, position=1, team=ours, name="Assess")
    StageFactory(service=shared, position=2, team=theirs, name="Pay")
    cost(shared, JAN, 300, organisation=payer)
    cost(shared, JAN, 900)  # paid by the service's own organisation
    inside = ServiceFactory(name="Inside")
    StageFactory(service=inside, position=1, team=ours)
    StageFactory(service=inside, position=2, team=ours)
    secret = ServiceFactory(name="Secret", restricted=True)
    StageFactory(service=secret, position=1, team=ours)
    ServiceFactory(name="Elsewhere")

    response = colleague_client.get(reverse("performance:organisation_share", args=["revenue"]), Q1)

    rows = {row.summary.service.name: row for row in response.context["rows"]}
    assert list(rows) == ["Inside", "Shared"]  # taking part, visible, by name
    assert rows["Shared"].paid == D(300)
    assert rows["Shared"].share == D(300) / D(1200)
    assert [(h.from_stage.name, h.to_stage.name) for h in rows["Shared"].crossing] == [
        ("Assess", "Pay")
    ]
    assert rows["Inside"].crossing == [] and rows["Inside"].paid is None


def test_the_share_page_shows_a_page_of_services_at_a_time(colleague_client):
    team = TeamFactory(directorate__organisation__name="Revenue")
    for n in range(5):
        StageFactory(service=ServiceFactory(name=f"Service {n}"), position=1, team=team)
    url = reverse("performance:directorate_share", args=[team.directorate.pk])
    with patch("performance.figures.views.SHARE_PAGE_SIZE", 2):
        pages = [colleague_client.get(url, {**Q1, "page": n}) for n in (1, 2, 3)]
    names = [[row.summary.service.name for row in page.context["rows"]] for page in pages]
    assert names == [["Service 0", "Service 1"], ["Service 2", "Service 3"], ["Service 4"]]
    assert "page 2 of 3" in pages[1].content.decode()
    assert 'href="?from=2026-01-01&amp;to=2026-03-31&amp;page=3"' in pages[1].content.decode()

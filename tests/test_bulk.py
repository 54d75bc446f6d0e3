"""Appending generated rows in bulk (``rows_copy``, over ``servicelead.bulk``): every value
arrives as given, on either database."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from performance.demo import COST_FIELDS
from performance.imports.actions import rows_copy
from performance.models import CostLine
from tests.factories import OrganisationFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def test_rows_arrive_exactly_as_given():
    service, payer = ServiceFactory(), OrganisationFactory()
    now = timezone.now()
    drivers = ["", "Share by headcount", "tab\there, new\nline, back\\slash and \\N"]
    rows = [
        (service.pk, date(2026, 1, 1), date(2026, 1, 31), "GBP", amount, category, "run")
        + (payer.pk, None, None, n == 1, drivers[n], None, now)
        for n, (amount, category) in enumerate(
            [
                (Decimal("10.50"), "staff"),
                ("99.99", CostLine.Category.OTHER),
                (Decimal(0), "technology"),
            ]
        )
    ]
    assert rows_copy(CostLine, COST_FIELDS, rows) == 3
    stored = list(CostLine.objects.order_by("pk"))
    assert [line.amount for line in stored] == [Decimal("10.50"), Decimal("99.99"), Decimal(0)]
    assert [line.allocation_driver for line in stored] == drivers
    assert [line.allocated for line in stored] == [False, True, False]
    assert {line.directorate_id for line in stored} == {None}
    assert stored[1].category == "other" and stored[0].period_end == date(2026, 1, 31)

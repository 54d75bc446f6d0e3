"""Division in SQL (``servicelead.sql.Ratio``): the same figure on PostgreSQL and on SQLite,
stated by hand. CI runs this file on both databases."""

from decimal import Decimal

import pytest
from django.db.models import IntegerField, Value

from servicelead.sql import Ratio
from services.models import Service
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def ratio(top: int, bottom: int | None) -> Decimal | None:
    ServiceFactory()
    found = Ratio(Value(top, IntegerField()), Value(bottom, IntegerField()))
    return Service.objects.annotate(r=found).values_list("r", flat=True).first()


def test_a_whole_number_divided_by_another_is_a_share_not_a_whole_number():
    # 2 ÷ 3 = 0.6666…, to ten places; SQLite alone would give 0.
    assert ratio(2, 3) == Decimal("0.6666666667")
    assert ratio(3, 3) == Decimal(1)
    assert ratio(1, 8) == Decimal("0.125")


def test_nothing_divided_by_zero_or_by_nothing():
    assert ratio(2, 0) is None
    assert ratio(2, None) is None


def test_either_side_may_be_a_fields_name():
    ServiceFactory()
    found = Service.objects.annotate(
        n=Value(1, IntegerField()), d=Value(8, IntegerField())
    ).annotate(r=Ratio("n", "d"))
    assert found.values_list("r", flat=True).first() == Decimal("0.125")

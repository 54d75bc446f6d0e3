"""Writes that race get the right answer: the same new rows sent twice at the same moment end
as those rows once, and both senders told it worked. Real threads, each with its own database
connection, against PostgreSQL (SQLite lets one writer in at a time, so it cannot race)."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections

from performance.flow.actions import handoff_log_record, handoffs_make, stage_log_record
from performance.imports import KINDS, run_import
from performance.models import HandoffLog, Measurement, StageLog
from tests.factories import ServiceFactory, StageFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="races need PostgreSQL's concurrent writers"
    ),
]
WEEK = (date(2026, 1, 5), date(2026, 1, 11))


def at_once(work, times: int = 4) -> list:
    """Run ``work`` in ``times`` threads released together; what each returned or raised."""
    start = threading.Barrier(times)
    results: list = [None] * times

    def run(n: int) -> None:
        try:
            start.wait()
            results[n] = work()
        except Exception as error:  # the test reports it
            results[n] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_the_same_new_team_log_rows_saved_at_once_end_once():
    service = ServiceFactory(slug="grants")
    first = StageFactory(service=service, position=1)
    second = StageFactory(service=service, position=2)
    handoff = handoffs_make({service.pk: [first, second]})[(first.pk, second.pk)]

    def handoff_row():
        return handoff_log_record(
            handoff=handoff,
            user=None,
            period_start=WEEK[0],
            period_end=WEEK[1],
            handed_over=10,
            returned=1,
            median_wait_hours=Decimal(4),
        )[1]

    def stage_row():
        return stage_log_record(
            stage=first,
            user=None,
            period_start=WEEK[0],
            period_end=WEEK[1],
            completed=9,
            median_process_hours=Decimal(2),
        )[1]

    for work, model in [(handoff_row, HandoffLog), (stage_row, StageLog)]:
        outcomes = at_once(work)
        assert sorted(map(str, outcomes)) == ["created", "unchanged", "unchanged", "unchanged"]
        assert model.objects.count() == 1


def test_one_file_imported_twice_at_once_ends_as_one_import():
    ServiceFactory(slug="grants")
    text = "service,metric,period_start,period_end,value,channel\n" + "".join(
        f"grants,transactions,2026-0{month}-01,2026-0{month}-28,{100 * month},digital\n"
        for month in range(1, 7)
    )

    def upload():
        outcome = run_import(KINDS["measurements"](), text.encode(), user=None, source="test")
        return (outcome.counts.created, outcome.counts.unchanged)

    outcomes = at_once(upload, times=2)
    assert sorted(outcomes) == [(0, 6), (6, 0)]
    assert Measurement.objects.count() == 6

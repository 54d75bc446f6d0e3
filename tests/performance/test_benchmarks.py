import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from performance.models import HandoffLog
from tests.factories import (
    DecisionFactory,
    HandoffFactory,
    HandoffLogFactory,
    ServiceFactory,
    StageFactory,
)

pytestmark = pytest.mark.django_db


PAGES = [
    "trivial (profile)",
    "portfolio",
    "portfolio by cost",
    "portfolio filtered",
    "portfolio page 7",
    "catalogue",
    "coverage",
    "dashboard",
    "flow",
    "decision log",
]


def test_page_benchmark_prints_each_page_against_the_trivial_one():
    call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("benchmark_pages", repeat=2, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("12 services, database ")
    assert "service home-improvement-grant" in lines[0]  # no generated services here
    pages = [line.split("  ")[0].strip() for line in lines[2:]]
    assert pages == PAGES
    assert all(line.rstrip().split()[-1].isdigit() for line in lines[2:])  # query counts


def test_import_benchmark_reports_rows_per_second():
    out = io.StringIO()
    call_command("benchmark_import", rows=500, services=5, stdout=out)
    text = out.getvalue()
    assert "500 rows" in text and "importer:" in text and "rows/s" in text


def test_page_benchmark_prints_json_for_the_combined_benchmark():
    call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("benchmark_pages", repeat=2, json=True, after_write=True, stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["services"] == 12 and figures["after_write"]
    assert list(figures["pages"]) == PAGES
    dashboard = figures["pages"]["dashboard"]
    assert 0 < dashboard["p50"] <= dashboard["p95"]
    assert dashboard["queries"] > 0


def test_combined_benchmark_refuses_sizes_it_cannot_build():
    with pytest.raises(CommandError, match="--sizes must be whole numbers"):
        call_command("benchmark", sizes="twenty,2000")
    with pytest.raises(CommandError, match="The smallest size is 12"):
        call_command("benchmark", sizes="5,2000")


def handoff_log(handed_over: int) -> HandoffLog:
    service = ServiceFactory()
    first, second = (
        StageFactory(service=service, position=1),
        StageFactory(service=service, position=2),
    )
    handoff = HandoffFactory(service=service, from_stage=first, to_stage=second)
    return HandoffLogFactory(
        handoff=handoff,
        period_start=date(2015, 1, 5),
        period_end=date(2015, 1, 11),
        handed_over=handed_over,
        returned=0,
        median_wait_hours=1,
    )


def write_log(tmp_path, *writes) -> str:
    path = tmp_path / "writes.jsonl"
    path.write_text("".join(json.dumps(write) + "\n" for write in writes))
    return str(path)


def test_load_check_finds_every_write_the_load_tool_saw_succeed(tmp_path):
    log = handoff_log(1234)
    decision = DecisionFactory(title="Load test decision 1-1")
    writes = write_log(
        tmp_path,
        {
            "kind": "handoff",
            "handoff": f"{log.handoff.from_stage_id}-{log.handoff.to_stage_id}",
            "week": log.period_start.isoformat(),
            "value": 1234,
        },
        {"kind": "decision", "title": decision.title},
    )
    out = io.StringIO()
    call_command("loadtest_check", writes, stdout=out)
    assert "1 hand-off logs and 1 decisions. In the database: 1 and 1." in out.getvalue()
    assert "No write was lost." in out.getvalue()


def test_load_check_names_lost_writes(tmp_path):
    log = handoff_log(1234)
    writes = write_log(
        tmp_path,
        {
            "kind": "handoff",
            "handoff": f"{log.handoff.from_stage_id}-{log.handoff.to_stage_id}",
            "week": log.period_start.isoformat(),
            "value": 999,  # the database holds another value: this write was lost
        },
        {"kind": "decision", "title": "Never stored"},
    )
    with pytest.raises(CommandError, match="2 writes were lost") as error:
        call_command("loadtest_check", writes, stdout=io.StringIO())
    assert "Never stored" in str(error.value)

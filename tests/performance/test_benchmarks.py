import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_page_benchmark_prints_each_page_against_the_trivial_one():
    call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("benchmark_pages", repeat=2, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("12 services, database ")
    pages = [line.split("  ")[0].strip() for line in lines[2:]]
    assert pages == ["trivial (profile)", "portfolio", "dashboard", "flow", "decision log"]
    assert all(line.rstrip().split()[-1].isdigit() for line in lines[2:])  # query counts


def test_import_benchmark_reports_rows_per_second():
    out = io.StringIO()
    call_command("benchmark_import", rows=500, services=5, stdout=out)
    text = out.getvalue()
    assert "500 rows" in text and "importer:" in text and "rows/s" in text

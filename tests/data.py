"""The GC inventory's files the tests read: the extract kept with the tests, its edge cases,
and the full published snapshot in the shared data folder beside the project."""

from pathlib import Path

from django.conf import settings

FIXTURES = Path(__file__).parent / "fixtures"
EXTRACT = FIXTURES / "gc"
CASES = FIXTURES / "gc-cases"
FULL = Path(settings.BASE_DIR).parent / "shared" / "data" / "gc-service-inventory"

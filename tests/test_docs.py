"""docs/configuration.md says what the settings do: every variable the settings read is
documented, with the default the code has (read from the settings' source, not copied)."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SOURCE = (ROOT / "servicelead" / "settings.py").read_text()
DOCS = (ROOT / "docs" / "configuration.md").read_text()
# Read only by the test settings and the benchmarks, not by a deployment.
INTERNAL = {"CELERY_RESTORE_INTERVAL", "CELERY_RESTORE_THROTTLE"}


def documented() -> dict[str, str]:
    """Each variable of the table with its default, by position: a row may name several
    variables and give their defaults in the same order."""
    found = {}
    for row in DOCS.splitlines():
        cells = row.split(" | ")
        if not row.startswith("| `") or len(cells) < 3:
            continue
        names = re.findall(r"`([A-Z_]+)`", cells[0])
        defaults = re.findall(r"`([^`]+)`", cells[-1])
        for n, name in enumerate(names):
            found[name] = defaults[n] if len(defaults) == len(names) else ""
    return found


def test_every_variable_the_settings_read_is_documented():
    read = set(re.findall(r"""(?:environ\.get|env_\w+)\(\s*"([A-Z_]+)\"""", SOURCE))
    assert read - INTERNAL - set(documented()) == set()


def test_each_threshold_is_documented_with_the_default_the_code_has():
    defaults = {
        name: value.strip('"')
        for name, value in re.findall(r'env_(?:int|decimal)\("([A-Z_]+)", ("?[0-9.]+"?)', SOURCE)
    }
    docs = documented()
    wrong = {name: (docs[name], value) for name, value in defaults.items() if docs[name] != value}
    assert wrong == {}, "documented default ≠ the code's"

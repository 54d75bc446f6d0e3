"""What every CSV export shares."""

import csv
import re

NUMBER = re.compile(r"-?\d+(\.\d+)?")


def csv_safe(text: str) -> str:
    """Stop a spreadsheet reading text as a formula. A plain number (a negative amount) is
    left as it is: it is no formula, and a prefix would make it text."""
    if NUMBER.fullmatch(text):
        return text
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class SafeWriter:
    """``csv.writer`` for exports: every text cell goes through ``csv_safe``, so no export can
    forget one (a name, a title, a username, a finding's place)."""

    def __init__(self, file) -> None:
        self._writer = csv.writer(file)

    def writerow(self, row):
        return self._writer.writerow([csv_safe(c) if isinstance(c, str) else c for c in row])


class Echo:
    """A file-like object for ``csv.writer`` that hands each line back, for streaming."""

    def write(self, value: str) -> str:
        return value

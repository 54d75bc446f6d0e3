"""What every CSV export shares."""


def csv_safe(text: str) -> str:
    """Stop a spreadsheet reading user text as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class Echo:
    """A file-like object for ``csv.writer`` that hands each line back, for streaming."""

    def write(self, value: str) -> str:
        return value

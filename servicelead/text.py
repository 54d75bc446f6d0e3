"""Characters no part of the product can hold."""

import re

from django.core.exceptions import ValidationError

# NUL cannot be stored in PostgreSQL text, and a lone surrogate cannot be encoded as UTF-8.
UNUSABLE = re.compile("[\x00\ud800-\udfff]")
UNUSABLE_SAYS = "a NUL or a lone surrogate"


def unusable(text: str) -> bool:
    """Whether ``text`` holds a character that cannot be stored or sent."""
    return UNUSABLE.search(text) is not None


def one_line(text: str) -> str:
    """``text`` with every run of white space, line breaks included, as one space."""
    return " ".join(text.split())


def has_line_break(text: str) -> bool:
    return len(text.splitlines()) > 1 or text.endswith(("\n", "\r"))


def single_line(value: str) -> None:
    """A validator for names and titles: they go into headings, lists, CSV cells and email
    subjects, where a line break would break them."""
    if isinstance(value, str) and has_line_break(value):
        raise ValidationError(
            "Write it on one line: it cannot hold a line break.", code="line_break"
        )

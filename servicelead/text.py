"""Characters no part of the product can hold."""

import re

# NUL cannot be stored in PostgreSQL text, and a lone surrogate cannot be encoded as UTF-8.
UNUSABLE = re.compile("[\x00\ud800-\udfff]")
UNUSABLE_SAYS = "a NUL or a lone surrogate"


def unusable(text: str) -> bool:
    """Whether ``text`` holds a character that cannot be stored or sent."""
    return UNUSABLE.search(text) is not None

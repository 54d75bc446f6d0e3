"""Reading pages as a browser would, for tests that fill in and post their forms."""

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._in_post_form = False
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        name = attrs.get("name", "")
        if tag == "form":
            self._in_post_form = attrs.get("method", "").lower() == "post"
        elif not self._in_post_form:
            return
        elif tag == "input" and name and attrs.get("type") not in {"submit", "button", "file"}:
            if attrs.get("type") in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.fields.setdefault(name, []).append(attrs.get("value", "on"))
            else:
                self.fields.setdefault(name, []).append(attrs.get("value", ""))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_post_form = False
        elif tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected]
            self.fields[self._select] = chosen or [value for value, _ in self._options[:1]]
            self._select = None
        elif tag == "textarea" and self._textarea:
            # The HTML parser keeps the newline a browser drops after <textarea>.
            self.fields[self._textarea][-1] = self.fields[self._textarea][-1].removeprefix("\n")
            self._textarea = None


def form_fields(html: str) -> dict[str, list[str]]:
    """What a browser would post from the page's POST forms as they stand: each field's
    values (ticked boxes only, each select's chosen option), without the CSRF token."""
    parser = _FormFields()
    parser.feed(html)
    parser.fields.pop("csrfmiddlewaretoken", None)
    return parser.fields

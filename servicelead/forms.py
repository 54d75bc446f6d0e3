"""Form helpers shared by every app: GOV.UK Frontend classes and accessible error wiring."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

WIDGET_CLASSES = {
    forms.Select: "govuk-select",
    forms.SelectMultiple: "govuk-select",
    forms.Textarea: "govuk-textarea",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.FileInput: "govuk-file-upload",
    forms.widgets.Input: "govuk-input",
}


class GovukFormMixin:
    """Give each widget its GOV.UK class, and point errored fields at their messages."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            css = next(
                (css for kind, css in WIDGET_CLASSES.items() if isinstance(widget, kind)), ""
            )
            if css:
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}-hint"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            base = widget.attrs.get("class", "").split()
            if base:
                widget.attrs["class"] = " ".join([*base, f"{base[-1]}--error"])
            described = widget.attrs.get("aria-describedby", "")
            widget.attrs["aria-describedby"] = (
                f"{described} id_{self.add_prefix(name)}-error".strip()
            )


class SignInForm(GovukFormMixin, AuthenticationForm):
    pass

"""Form helpers shared by every app: GOV.UK Frontend classes and accessible error wiring."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from servicelead.text import single_line

WIDGET_CLASSES = {
    forms.Select: "govuk-select",
    forms.SelectMultiple: "govuk-select",
    forms.Textarea: "govuk-textarea",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.FileInput: "govuk-file-upload",
    forms.widgets.Input: "govuk-input",
}


class QuickSelect(forms.Select):
    """A select written in Python rather than through one template per option: the same HTML
    as Django's, at a small part of the cost for the hundreds of organisations and
    directorates of a national portfolio."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group, options, _ in widget["optgroups"]:
            if group:
                parts.append(format_html('<optgroup label="{}">', group))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    option["value"],
                    flatatt(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped by format_html


# No record's id is larger: SQLite's integers are 64-bit, and it raises OverflowError (not a
# failed match) when asked for records among ids beyond them.
LARGEST_ID = 2**63 - 1


class RecordsChoiceField(forms.ModelMultipleChoiceField):
    """Django's choice of several records, refusing an id too large to be one as it refuses
    any unknown choice, before it reaches the database."""

    def _check_values(self, value):
        for choice in value or ():
            try:
                too_large = abs(int(str(choice))) > LARGEST_ID
            except ValueError:
                continue  # not a number: Django refuses it as it would
            if too_large:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": str(choice)[:40]},
                )
        return super()._check_values(value)


def one_line_text(field: forms.Field) -> bool:
    """A text field typed on one line (not a text area, a password or a hidden value)."""
    multiline = (forms.Textarea, forms.PasswordInput, forms.HiddenInput)
    return isinstance(field, forms.CharField) and not isinstance(field.widget, multiline)


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
            if one_line_text(field) and single_line not in field.validators:
                field.validators.append(single_line)

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

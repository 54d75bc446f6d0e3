"""The upload forms (CSV kinds, the GC inventory) and the API token form."""

from django import forms
from django.conf import settings

from performance.imports import KINDS
from servicelead.forms import GovukFormMixin
from servicelead.numbers import number


class UploadForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(label="What the file holds")
    file = forms.FileField(
        label="CSV file", help_text="UTF-8, comma-separated, with a header row; at most 20 MB."
    )

    def __init__(self, *args, admin: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (name, name.replace("_", " ").capitalize())
            for name, kind in KINDS.items()
            if admin or not kind.admin_only
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {number(upload.size / 1024 / 1024)} MB; the most is "
                f"{settings.IMPORT_MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
            )
        return upload


class TokenForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="What will use it", max_length=200, help_text="e.g. the case system"
    )


class GcUploadForm(GovukFormMixin, forms.Form):
    inventory = forms.FileField(label="Service inventory (si_2024.csv)")
    standards = forms.FileField(label="Service standards (ss_2024.csv)", required=False)
    spending = forms.FileField(label="Programme spending (rbpo.csv)", required=False)
    organisations = forms.FileField(
        label="Organisation names and ids (org_var.csv)",
        required=False,
        help_text="Needed with the spending file: spending is joined to organisations by id.",
    )
    dictionary = forms.FileField(
        label="Data dictionary (service_data_dict.json)",
        required=False,
        help_text="Translates codes such as service types and client groups into words.",
    )

    def clean(self) -> dict:
        data = super().clean()
        for name, upload in data.items():
            if upload and upload.size > settings.IMPORT_MAX_BYTES:
                self.add_error(name, "The file is larger than 20 MB.")
        if data.get("spending") and not data.get("organisations"):
            self.add_error(
                "organisations",
                "Add org_var.csv too: without it spending cannot be joined to organisations.",
            )
        return data

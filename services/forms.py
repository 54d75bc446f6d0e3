from django import forms

from servicelead.forms import GovukFormMixin
from services.models import Directorate, Organisation, Service
from services.queries import CatalogueFilters, directorate_choices


class CatalogueFilterForm(GovukFormMixin, forms.Form):
    """The catalogue's search and filters, read from the query string."""

    q = forms.CharField(label="Search by name or purpose", required=False, max_length=200)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="All organisations",
    )
    directorate = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    phase = forms.ChoiceField(required=False)
    kind = forms.ChoiceField(required=False)
    leadership_model = forms.ChoiceField(label="Leadership model", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["directorate"].choices = [("", "All directorates"), *directorate_choices()]
        self.fields["phase"].choices = [("", "All phases"), *Service.Phase.choices]
        self.fields["kind"].choices = [("", "All kinds"), *Service.Kind.choices]
        self.fields["leadership_model"].choices = [
            ("", "All models"),
            *Service.LeadershipModel.choices,
        ]

    def filters(self) -> CatalogueFilters:
        """The valid filters; an invalid one is ignored and reported by the form's errors."""
        data = self.cleaned_data if self.is_bound else {}
        directorate_id = data.get("directorate")
        return CatalogueFilters(
            q=data.get("q", "").strip(),
            organisation=data.get("organisation"),
            directorate=(
                Directorate.objects.filter(pk=directorate_id).first() if directorate_id else None
            ),
            phase=data.get("phase", ""),
            kind=data.get("kind", ""),
            leadership_model=data.get("leadership_model", ""),
        )

"""The filters of the portfolio and the data-quality pages, and the review narrative."""

from django import forms

from performance.figures.portfolio import (
    AGENT_CHOICES,
    COLUMNS,
    DEFAULT_COLUMNS,
    EXCEPTION_CHOICES,
)
from performance.leadership.maturity import LEVELS
from performance.models import (
    DataQualityFinding,
)
from servicelead.forms import GovukFormMixin
from services.forms import CatalogueFilterForm
from services.models import Organisation


class DataQualityFilterForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Kind of finding",
        required=False,
        choices=[("", "Any kind"), *DataQualityFinding.Kind.choices],
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="All organisations",
    )
    service = forms.SlugField(required=False, widget=forms.HiddenInput)


class NarrativeForm(GovukFormMixin, forms.Form):
    text = forms.CharField(
        label="What changed and why",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="For the people this pack goes to: what moved, why, and what you are doing.",
    )


class PortfolioFilterForm(CatalogueFilterForm):
    hands_on_gap = forms.BooleanField(
        required=False, label="Hands-on leadership recommended but not in place"
    )
    stale = forms.BooleanField(required=False, label="Stale data")
    evidence_disagrees = forms.BooleanField(
        required=False, label="The data disagrees with the proportionality assessment"
    )
    exception = forms.ChoiceField(
        label="Needing attention",
        choices=[("", "Every service"), *EXCEPTION_CHOICES],
        required=False,
    )
    agents = forms.ChoiceField(
        label="Automation and AI agents",
        choices=[("", "Any service"), *AGENT_CHOICES],
        required=False,
    )
    maturity = forms.TypedChoiceField(
        label="Leadership maturity",
        choices=[("", "Any level"), *enumerate(LEVELS)],
        coerce=int,
        required=False,
        empty_value=None,
    )
    columns = forms.MultipleChoiceField(
        required=False,
        label="Columns to show",
        choices=[(key, heading) for key, (heading, _) in COLUMNS.items() if key != "service"],
        widget=forms.CheckboxSelectMultiple,
    )

    def shown(self) -> list[str]:
        """The columns chosen, in the table's order; the usual ones when none (or none that
        exist) are chosen."""
        chosen = set(self.cleaned_data.get("columns") or []) if self.is_bound else set()
        if self.is_bound and "columns" in self.errors:
            chosen = {c for c in self.data.getlist("columns") if c in COLUMNS}
        return ["service", *[key for key in COLUMNS if key in (chosen or DEFAULT_COLUMNS)]]

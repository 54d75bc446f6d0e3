"""The forms of campaigns and their fixes."""

from django import forms
from django.utils import timezone

from decisions.models import DecisionType
from performance.leadership.maturity import LEVELS, checks
from servicelead.forms import GovukFormMixin
from services.forms import CatalogueFilterForm

CAMPAIGN_YEARS = 5  # a campaign's target date at the latest, from its launch


class CampaignForm(CatalogueFilterForm):
    """A campaign: its check, its target date, and the services in scope (the catalogue's
    filters). ``previewed`` holds the scope that was shown; it is launched only once seen."""

    field_order = ["name", "check_key", "target_date"]

    name = forms.CharField(label="Name of the campaign", max_length=200)
    check_key = forms.ChoiceField(
        label="The check every service in scope should pass",
        error_messages={"invalid_choice": "Choose one of the checks listed."},
    )
    target_date = forms.DateField(
        label="Target date",
        help_text="When every service in scope should pass it, as YYYY-MM-DD.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    previewed = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["check_key"].choices = [
            (key, f"{name} ({LEVELS[level]})") for key, (level, name) in checks().items()
        ]
        self.fields["q"].label = "Search by name, purpose or identifier (optional)"

    def clean_target_date(self):
        target, today = self.cleaned_data["target_date"], timezone.localdate()
        if target <= today:
            raise forms.ValidationError("The target date must be after today.")
        try:  # the same day five years on
            latest = today.replace(year=today.year + CAMPAIGN_YEARS)
        except ValueError:  # 29 February, in a year that has none
            latest = today.replace(year=today.year + CAMPAIGN_YEARS, day=28)
        if target > latest:
            raise forms.ValidationError(
                f"Choose a target date within {CAMPAIGN_YEARS} years: a campaign is a drive, "
                "not a standing rule."
            )
        return target


class CampaignFixForm(GovukFormMixin, forms.Form):
    decision_type = forms.ModelChoiceField(
        queryset=DecisionType.objects.order_by("name"),
        required=False,
        empty_label="Every kind nobody may decide",
        label="Kind of decision",
    )
    # The rights that were shown, as a count; the fix is applied only once seen.
    previewed = forms.CharField(widget=forms.HiddenInput, required=False)

"""The forms of the team's weekly log, capacity and team interactions."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone

from performance.models import (
    CapacityLog,
    TeamInteraction,
)
from performance.windows import EARLIEST
from servicelead.forms import GovukFormMixin
from services.forms import TeamChoiceField
from services.models import Service, Team

NARROW = {"class": "govuk-input--width-5", "inputmode": "decimal"}


HOURS = {
    "min_value": Decimal(0),
    "max_value": Decimal(99_999),
    "decimal_places": 2,
    "widget": forms.NumberInput(attrs={**NARROW, "step": "0.01"}),
}


COUNT = {
    "min_value": 0,
    "max_value": 10_000_000,
    "widget": forms.NumberInput(attrs={**NARROW, "inputmode": "numeric"}),
}


class HoursField(forms.DecimalField):
    """Hours as people write them: 14.5, not the stored 14.50."""

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value.normalize():f}"
        return super().prepare_value(value)


class LogRowForm(GovukFormMixin, forms.Form):
    """One row of a team's weekly log, with the version of its log as the page showed it
    (``log_version``)."""

    loaded_at = forms.CharField(widget=forms.HiddenInput, required=False)


class HandoffLogForm(LogRowForm):
    handed_over = forms.IntegerField(label="Handed over", **COUNT)
    returned = forms.IntegerField(label="Returned incomplete or inaccurate", **COUNT)
    median_wait_hours = HoursField(label="Median wait (hours)", **HOURS)

    def clean(self) -> dict:
        data = super().clean()
        handed, returned = data.get("handed_over"), data.get("returned")
        if handed is not None and returned is not None and returned > handed:
            self.add_error("returned", "More items cannot come back than were handed over.")
        return data


class StageLogForm(LogRowForm):
    completed = forms.IntegerField(label="Completed", **COUNT)
    median_process_hours = HoursField(label="Median process time (hours)", **HOURS)


class InteractionForm(GovukFormMixin, forms.ModelForm):
    """How two teams on the service's journey work together."""

    class Meta:
        model = TeamInteraction
        fields = ["team", "with_team", "mode", "started_on", "expected_weeks", "note"]
        widgets = {
            "started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"team": TeamChoiceField, "with_team": TeamChoiceField}
        labels = {"team": "Team", "with_team": "With team"}

    def __init__(self, *args, service: Service, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.service = service
        # Any team: an enabling team facilitates from outside the journey.
        teams = Team.objects.select_related("directorate__organisation").order_by("name", "pk")
        for name in ("team", "with_team"):
            self.fields[name].queryset = teams
        self.fields["team"].help_text = TeamInteraction._meta.get_field("team").help_text

    def clean(self) -> dict:
        data = super().clean()
        started = data.get("started_on")
        if started and started > timezone.localdate():
            self.add_error("started_on", "Record an interaction once it has started.")
        if started and started < EARLIEST:
            self.add_error("started_on", f"Give a start on or after {EARLIEST:%-d %B %Y}.")
        team, other, mode = data.get("team"), data.get("with_team"), data.get("mode")
        if team and other and mode:
            pair = Q(team=team, with_team=other) | Q(team=other, with_team=team)
            found = TeamInteraction.objects.filter(pair, service=self.instance.service, mode=mode)
            if found.exists():
                self.add_error(
                    None,
                    f"{team.name} and {other.name} are already recorded as "
                    f"{TeamInteraction.Mode(mode).label.lower()} on this service: remove it "
                    "first to record it again.",
                )
        return data

    def validate_unique(self) -> None:
        """Said in ``clean``, in words, whichever way round the teams are given."""


class CapacityForm(GovukFormMixin, forms.Form):
    """A team's split of a week's capacity, in whole per cent adding up to 100."""

    run = forms.IntegerField(label="Running services", min_value=0, max_value=100, required=False)
    change = forms.IntegerField(label="Changing them", min_value=0, max_value=100, required=False)
    failure_demand = forms.IntegerField(
        label="Failure demand", min_value=0, max_value=100, required=False
    )
    improvement = forms.IntegerField(
        label="Improving how the team works", min_value=0, max_value=100, required=False
    )

    def clean(self) -> dict:
        data = super().clean()
        given = [data.get(part) for part in CapacityLog.PARTS]
        if self.errors or all(value is None for value in given):
            return data  # nothing logged is nothing saved
        total = sum(value or 0 for value in given)
        if total != 100:
            raise forms.ValidationError(
                f"The four shares add up to {total} %: they must add up to 100 %."
            )
        return {part: value or 0 for part, value in zip(CapacityLog.PARTS, given, strict=True)}

    @property
    def shares(self) -> dict[str, int] | None:
        """The shares to save; None when the team left them all empty."""
        data = self.cleaned_data
        if all(data.get(part) is None for part in CapacityLog.PARTS):
            return None
        return {part: data[part] for part in CapacityLog.PARTS}

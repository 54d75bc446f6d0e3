from decimal import Decimal

from django import forms
from django.db.models import Q

from performance.models import ChangeInitiative, DataQualityFinding, FrictionPoint, Handoff
from servicelead.conflicts import UnchangedSinceMixin
from servicelead.forms import GovukFormMixin, RecordsChoiceField
from services.forms import TeamChoiceField
from services.models import Organisation, Service, Team
from services.queries import directorate_choices

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


class FrictionForm(UnchangedSinceMixin, GovukFormMixin, forms.ModelForm):
    class Meta:
        model = FrictionPoint
        fields = [
            "title",
            "description",
            "category",
            "severity",
            "status",
            "stage",
            "handoff",
            "owner_team",
            "hours_lost_per_week",
            "failure_demand_contacts",
            "raised_on",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "raised_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        field_classes = {"owner_team": TeamChoiceField}

    def __init__(self, *args, service: Service, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.service = service
        self.fields["stage"].queryset = service.stages.order_by("position")
        self.fields["stage"].empty_label = "No one stage"
        self.fields["handoff"].queryset = Handoff.objects.filter(service=service).select_related(
            "from_stage", "to_stage"
        )
        self.fields["handoff"].empty_label = "No one hand-off"
        self.fields["owner_team"].queryset = Team.objects.select_related(
            "directorate__organisation"
        ).order_by("name")
        self.fields["owner_team"].empty_label = "No owner yet"


class ChangeForm(UnchangedSinceMixin, GovukFormMixin, forms.ModelForm):
    class Meta:
        model = ChangeInitiative
        fields = [
            "title",
            "outcome_sought",
            "why",
            "kind",
            "status",
            "starts_on",
            "ends_on",
            "affected_stages",
            "delivering_teams",
        ]
        widgets = {
            "outcome_sought": forms.Textarea(attrs={"rows": 2}),
            "why": forms.Textarea(attrs={"rows": 3}),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "affected_stages": forms.CheckboxSelectMultiple,
            "delivering_teams": forms.CheckboxSelectMultiple,
        }
        field_classes = {
            "affected_stages": RecordsChoiceField,
            "delivering_teams": RecordsChoiceField,
        }

    def __init__(self, *args, service: Service, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.service = service
        self.fields["affected_stages"].queryset = service.stages.order_by("position")
        self.fields["delivering_teams"].queryset = Team.objects.filter(
            Q(pk__in=service.stages.values("team"))
            | Q(pk__in=service.participations.values("team"))
        ).order_by("name")


class FrictionFilterForm(GovukFormMixin, forms.Form):
    category = forms.ChoiceField(
        required=False, choices=[("", "Any category"), *FrictionPoint.Category.choices]
    )
    severity = forms.ChoiceField(
        required=False, choices=[("", "Any severity"), *FrictionPoint.Severity.choices]
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *FrictionPoint.Status.choices]
    )
    directorate = forms.TypedChoiceField(
        label="Owner team's directorate", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["directorate"].choices = [("", "Any directorate"), *directorate_choices()]


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

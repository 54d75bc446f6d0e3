"""The friction register's form and filters."""

from django import forms

from performance.models import (
    FrictionPoint,
    Handoff,
)
from servicelead.conflicts import UnchangedSinceMixin
from servicelead.forms import GovukFormMixin
from services.forms import TeamChoiceField
from services.models import Service, Stage, Team
from services.queries import directorate_choices


class FrictionForm(UnchangedSinceMixin, GovukFormMixin, forms.ModelForm):
    # One of the journey's hand-offs, by its two stages ("12-13"): a pair nothing has been
    # logged against yet has no row, which ``friction_save`` saves with the friction point.
    handoff = forms.ChoiceField(label="Hand-off", required=False)

    field_order = ["title", "description", "category", "severity", "status", "stage", "handoff"]

    class Meta:
        model = FrictionPoint
        fields = [
            "title",
            "description",
            "category",
            "severity",
            "status",
            "stage",
            "owner_team",
            "hours_lost_per_week",
            "failure_demand_contacts",
            "contact_channel",
            "raised_on",
            "what_worked",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "what_worked": forms.Textarea(attrs={"rows": 3}),
            "raised_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        field_classes = {"owner_team": TeamChoiceField}

    def __init__(self, *args, service: Service, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.service = service
        self.fields["contact_channel"].choices = [("", "Not given"), *Stage.Channel.choices]
        self.fields["stage"].queryset = service.stages.order_by("position")
        self.fields["stage"].empty_label = "No one stage"
        stages = list(self.fields["stage"].queryset)
        self._pairs = {f"{a.pk}-{b.pk}": (a, b) for a, b in zip(stages, stages[1:], strict=False)}
        labels = {key: f"{a.name} → {b.name}" for key, (a, b) in self._pairs.items()}
        current = self.instance.handoff if self.instance.handoff_id else None
        if current is not None:  # kept even when its stages are no longer next to each other
            key = f"{current.from_stage_id}-{current.to_stage_id}"
            labels.setdefault(key, str(current))
            self.initial["handoff"] = key
        self.fields["handoff"].choices = [("", "No one hand-off"), *labels.items()]
        self.fields["owner_team"].queryset = Team.objects.select_related(
            "directorate__organisation"
        ).order_by("name")
        self.fields["owner_team"].empty_label = "No owner yet"

    def clean(self) -> dict:
        data = super().clean()
        resolving = data.get("status") == FrictionPoint.Status.RESOLVED
        if resolving and not data.get("what_worked", "").strip():
            self.add_error(
                "what_worked",
                "Say what worked to resolve it, so others with the same problem can find it.",
            )
        return data

    def clean_handoff(self) -> str:
        key = self.cleaned_data["handoff"]
        current = self.instance.handoff if self.instance.handoff_id else None
        if current is not None and key == f"{current.from_stage_id}-{current.to_stage_id}":
            return key
        if not key:
            self.instance.handoff = None
        else:
            a, b = self._pairs[key]
            self.instance.handoff = Handoff.objects.filter(from_stage=a, to_stage=b).first() or (
                Handoff(service=self.instance.service, from_stage=a, to_stage=b)
            )
        return key


class FrictionFilterForm(GovukFormMixin, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        help_text="Titles, descriptions and what worked",
    )
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

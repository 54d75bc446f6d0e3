"""The forms of change initiatives and what-if scenarios."""

from decimal import Decimal

from django import forms
from django.db.models import Q

from performance.change.scenarios import Change, Kind
from performance.models import (
    ChangeInitiative,
    Scenario,
)
from servicelead.conflicts import UnchangedSinceMixin
from servicelead.forms import GovukFormMixin, RecordsChoiceField
from services.forms import TeamChoiceField
from services.models import Service, Team


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


PERCENT = {"max_digits": 4, "decimal_places": 1, "required": False}


class ScenarioForm(GovukFormMixin, forms.Form):
    """The changes of a what-if scenario: at most one of each kind."""

    name = forms.CharField(label="Name the scenario", max_length=200)
    merge = forms.ChoiceField(label="Merge two stages", required=False)
    move_stage = forms.ChoiceField(label="Move a stage to another team", required=False)
    move_team = TeamChoiceField(queryset=Team.objects.none(), label="To the team", required=False)
    raise_after = forms.ChoiceField(
        label="Raise a hand-off's complete-and-accurate rate", required=False
    )
    raise_to = forms.DecimalField(
        label="To (%)", min_value=Decimal("0.1"), max_value=Decimal(100), **PERCENT
    )
    cut_after = forms.ChoiceField(label="Cut the wait at a hand-off", required=False)
    cut_by = forms.DecimalField(
        label="By (%)", min_value=Decimal("0.1"), max_value=Decimal(100), **PERCENT
    )
    initiative = forms.ModelChoiceField(
        queryset=ChangeInitiative.objects.none(),
        label="Attach it to a change initiative (optional)",
        required=False,
        empty_label="None",
        help_text=Scenario._meta.get_field("initiative").help_text,
    )

    # The field that chooses a change, and the field its change needs with it.
    PAIRS = {"move_stage": "move_team", "raise_after": "raise_to", "cut_after": "cut_by"}

    def __init__(self, *args, service: Service, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        stages = list(service.stages.order_by("position"))
        pairs = list(zip(stages, stages[1:], strict=False))
        handoffs = [(str(a.pk), f"{a.name} → {b.name}") for a, b in pairs]
        self.fields["merge"].choices = [
            ("", "No merge"),
            *[(str(a.pk), f"“{a.name}” with “{b.name}” (no hand-off between)") for a, b in pairs],
        ]
        self.fields["move_stage"].choices = [
            ("", "No move"),
            *[(str(s.pk), f"{s.position}. {s.name}") for s in stages],
        ]
        self.fields["move_team"].queryset = Team.objects.select_related(
            "directorate__organisation"
        ).order_by("name", "pk")
        self.fields["raise_after"].choices = [("", "No hand-off"), *handoffs]
        self.fields["cut_after"].choices = [("", "No hand-off"), *handoffs]
        self.fields["initiative"].queryset = service.changes.order_by("title")

    def clean(self) -> dict:
        data = super().clean()
        for chooser, needed in self.PAIRS.items():
            if data.get(chooser) and data.get(needed) in (None, ""):
                self.add_error(needed, f"Give {self.fields[needed].label.lower()} as well.")
            if not data.get(chooser) and data.get(needed) not in (None, ""):
                self.add_error(chooser, f"Choose which, or clear “{self.fields[needed].label}”.")
        if not self.errors and not self.changes():
            raise forms.ValidationError("Choose at least one change to the journey.")
        return data

    def changes(self) -> list[Change]:
        data = self.cleaned_data
        found = []
        if data.get("move_stage") and data.get("move_team"):
            found.append(Change(Kind.MOVE, int(data["move_stage"]), team=data["move_team"].pk))
        if data.get("raise_after") and data.get("raise_to") is not None:
            found.append(
                Change(
                    Kind.COMPLETE_ACCURATE, int(data["raise_after"]), value=data["raise_to"] / 100
                )
            )
        if data.get("cut_after") and data.get("cut_by") is not None:
            found.append(Change(Kind.CUT_WAIT, int(data["cut_after"]), value=data["cut_by"] / 100))
        if data.get("merge"):
            found.append(Change(Kind.MERGE, int(data["merge"])))
        return found

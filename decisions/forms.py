from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.db.models import Q

from decisions.models import (
    AGENT_ROLES,
    Decision,
    DecisionBand,
    DecisionType,
    HolderKind,
    Role,
    agent_label,
)
from servicelead.forms import GovukFormMixin, RecordsChoiceField
from services.forms import PersonChoiceField, TeamChoiceField
from services.models import Person, Service, Stage, Team

UP_TO = DecisionBand._meta.get_field("up_to")
SUPERSEDES_ONLY = "A decision can only supersede another decision of the same service."


class DecisionTypeForm(GovukFormMixin, forms.ModelForm):
    bands = forms.CharField(
        label="Bands",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "For decisions limited by an amount, one upper limit per line, e.g. 25000 and "
            "250000; write “any” for a band with no upper limit. Leave empty for no bands."
        ),
    )

    class Meta:
        model = DecisionType
        fields = ["name", "category", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_bands(self) -> list[Decimal | None]:
        limits: list[Decimal | None] = []
        for number, line in enumerate(self.cleaned_data["bands"].splitlines(), start=1):
            text = line.strip().replace(",", "").replace("£", "").replace("$", "")
            if not text:
                continue
            if text.lower() in {"any", "no limit", "unlimited"}:
                limit = None
            else:
                try:
                    limit = Decimal(text)
                except InvalidOperation:
                    limit = Decimal("NaN")
                if not limit.is_finite():
                    raise forms.ValidationError(
                        f"Line {number}: “{line.strip()[:40]}” is not an amount."
                    )
                if limit < 0:
                    raise forms.ValidationError(
                        f"Line {number}: a band's limit cannot be negative."
                    )
                try:  # what the column holds: 12 digits before the point, 2 after
                    DecimalValidator(UP_TO.max_digits, UP_TO.decimal_places)(limit)
                except ValidationError as error:
                    raise forms.ValidationError(
                        f"Line {number}: “{line.strip()[:40]}” cannot be a band's limit. "
                        + " ".join(error.messages)
                    ) from None
            if limit in limits:
                raise forms.ValidationError(f"Line {number}: that band is already listed.")
            limits.append(limit)
        return limits


class RightsCellForm(GovukFormMixin, forms.Form):
    """Change one cell of the rights matrix: remove holders, add one."""

    token = forms.CharField(widget=forms.HiddenInput)
    remove = forms.MultipleChoiceField(
        label="Remove", required=False, widget=forms.CheckboxSelectMultiple
    )
    kind = forms.ChoiceField(
        label="Add a holder",
        required=False,
        choices=[("", "Nobody new"), *HolderKind.choices],
        widget=forms.RadioSelect,
    )
    person = PersonChoiceField(
        queryset=Person.objects.order_by("name"), required=False, label="Person"
    )
    team = TeamChoiceField(
        queryset=Team.objects.select_related("directorate__organisation").order_by("name"),
        required=False,
        label="Team",
    )
    external_body = forms.CharField(
        label="External body", max_length=200, required=False, help_text="e.g. Investment committee"
    )
    stage = forms.ModelChoiceField(
        queryset=Stage.objects.none(),
        required=False,
        label="Stage",
        help_text="The stage whose automation or AI agent holds this role.",
    )

    def __init__(self, *args, service: Service, role: str, current: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role = role
        self.fields["remove"].choices = [(str(r.pk), r.holder_label) for r in current]
        agents = service.stages.exclude(performer=Stage.Performer.PEOPLE).order_by("position")
        self.fields["stage"].queryset = agents
        self.fields["stage"].label_from_instance = agent_label
        if role not in AGENT_ROLES or not agents.exists():
            # An agent never decides, agrees or recommends: people answer for the decision.
            self.fields["kind"].choices = [
                choice for choice in self.fields["kind"].choices if choice[0] != HolderKind.AGENT
            ]
        if role == Role.DECIDE:
            self.fields["kind"].label = "Who decides"
            self.fields[
                "kind"
            ].help_text = "Exactly one holder decides; a new one replaces the old."

    HOLDER_FIELDS = {
        HolderKind.PERSON: "person",
        HolderKind.TEAM: "team",
        HolderKind.EXTERNAL: "external_body",
        HolderKind.AGENT: "stage",
    }

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        needed = self.HOLDER_FIELDS.get(kind)
        given = [name for name in self.HOLDER_FIELDS.values() if data.get(name)]
        if not kind and given and "kind" not in self.errors:
            # Without JavaScript every holder field shows: one filled in with "Nobody new"
            # chosen would otherwise be dropped without a word.
            self.add_error(
                "kind",
                f"You gave a {self.fields[given[0]].label.lower()} but chose “Nobody new”: "
                "choose the kind of holder to add, or clear it.",
            )
        if needed and not data.get(needed):
            self.add_error(needed, "Choose who holds this role.")
        for name in self.HOLDER_FIELDS.values():  # only the chosen kind's holder is kept
            if name != needed:
                data[name] = "" if name == "external_body" else None
        return data


class DecisionForm(GovukFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Decision
        fields = [
            "title",
            "decision_type",
            "amount",
            "status",
            "decided_on",
            "decided_by",
            "decided_by_body",
            "context",
            "options_considered",
            "outcome",
            "rationale",
            "supersedes",
            "review_by",
            "affected_stages",
            "affected_teams",
        ]
        widgets = {
            "decided_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "review_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "context": forms.Textarea(attrs={"rows": 3}),
            "options_considered": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
            "rationale": forms.Textarea(attrs={"rows": 3}),
            "affected_stages": forms.CheckboxSelectMultiple,
            "affected_teams": forms.CheckboxSelectMultiple,
        }
        field_classes = {
            "decided_by": PersonChoiceField,
            "affected_stages": RecordsChoiceField,
            "affected_teams": RecordsChoiceField,
        }

    def __init__(self, *args, service: Service, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.service = service
        self.fields["decision_type"].queryset = DecisionType.objects.order_by("name")
        self.fields["decided_by"].queryset = Person.objects.order_by("name")
        fields = self.fields
        if "affected_stages" in fields:
            fields["affected_stages"].queryset = service.stages.order_by("position")
        if "affected_teams" in fields:
            fields["affected_teams"].queryset = Team.objects.filter(
                Q(pk__in=service.stages.values("team"))
                | Q(pk__in=service.participations.values("team"))
            ).order_by("name")
        if "supersedes" in fields:
            # Only this service's other decisions: any other id (another service's, one the
            # user may not see, one that does not exist) gets the same answer, so the answer
            # says nothing about decisions elsewhere.
            others = service.decisions.exclude(pk=self.instance.pk).order_by("-decided_on")
            fields["supersedes"].queryset = others
            fields["supersedes"].error_messages["invalid_choice"] = SUPERSEDES_ONLY
            fields["supersedes"].widget.choices = [("", "Nothing")] + [
                (d.pk, f"{d.title} ({d.decided_on:%d %b %Y})") for d in others
            ]
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal", "step": "0.01"})


class QuickDecisionForm(DecisionForm):
    """The few fields a team member gives when logging a decision from the service page."""

    class Meta(DecisionForm.Meta):
        fields = ["title", "decision_type", "amount", "decided_on", "decided_by", "outcome"]


class LogFilterForm(GovukFormMixin, forms.Form):
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Decision.Status.choices]
    )
    decision_type = forms.ModelChoiceField(
        queryset=DecisionType.objects.order_by("name"),
        required=False,
        empty_label="Any type",
        label="Type",
    )
    decided_from = forms.DateField(
        required=False, label="Decided from", widget=forms.DateInput(attrs={"type": "date"})
    )
    decided_to = forms.DateField(
        required=False, label="Decided to", widget=forms.DateInput(attrs={"type": "date"})
    )
    rights = forms.ChoiceField(
        required=False,
        label="Rights check",
        choices=[
            ("", "Any"),
            ("within", "Within agreed rights"),
            ("outside", "Outside agreed rights"),
            ("unchecked", "Not checked (proposed)"),
        ],
    )
    review_due = forms.BooleanField(required=False, label="Review due within 30 days")

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("decided_from"), data.get("decided_to")
        if start and end and end < start:
            self.add_error("decided_to", "The end date cannot be before the start date.")
        return data

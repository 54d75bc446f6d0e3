from decimal import Decimal

from django import forms

from servicelead.conflicts import UnchangedSinceMixin, VersionForm
from servicelead.forms import GovukFormMixin, QuickSelect
from services.models import (
    Directorate,
    Organisation,
    Person,
    ProportionalityAssessment,
    Service,
    Stage,
    Team,
    TeamMembership,
)
from services.queries import CatalogueFilters, directorate_choices


class CatalogueFilterForm(GovukFormMixin, forms.Form):
    """The catalogue's search and filters, read from the query string."""

    q = forms.CharField(label="Search by name or purpose", required=False, max_length=200)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="All organisations",
        widget=QuickSelect,
    )
    directorate = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, widget=QuickSelect
    )
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


class ServiceDetailsForm(UnchangedSinceMixin, GovukFormMixin, forms.ModelForm):
    priorities = forms.CharField(
        label="Priorities",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One priority per line, most important first.",
    )

    class Meta:
        model = Service
        fields = [
            "name",
            "purpose",
            "serves",
            "vision",
            "phase",
            "kind",
            "restricted",
            "published",
            "automated_decision_system",
            "automated_decision_description",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "serves": forms.Textarea(attrs={"rows": 2}),
            "vision": forms.Textarea(attrs={"rows": 3}),
            "automated_decision_system": forms.NullBooleanSelect,
            "automated_decision_description": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_priorities(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["priorities"].splitlines()]
        priorities = [line for line in lines if line]
        too_long = [n for n, text in enumerate(priorities, start=1) if len(text) > 500]
        if too_long:
            raise forms.ValidationError(
                f"Priority {too_long[0]} is longer than 500 characters; shorten it."
            )
        if len(priorities) > 20:
            raise forms.ValidationError("Give at most 20 priorities.")
        return priorities


class LeadershipModelForm(GovukFormMixin, forms.Form):
    leadership_model = forms.ChoiceField(
        label="Leadership model", choices=Service.LeadershipModel.choices
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person: Person) -> str:
        return f"{person.name}, {person.job_title}" if person.job_title else person.name


class LeaderForm(GovukFormMixin, forms.Form):
    person = PersonChoiceField(queryset=Person.objects.order_by("name"), label="Person")
    role = forms.CharField(label="Role", max_length=200, required=False)
    leads_on = forms.CharField(
        label="Leads from among peers on",
        max_length=300,
        required=False,
        help_text="Aspects, comma-separated, e.g. technology, operations.",
    )


class BaseLeaderFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        people = [
            form.cleaned_data["person"]
            for form in self.forms
            if form.cleaned_data.get("person") and not form.cleaned_data.get("DELETE")
        ]
        repeated = {person.name for person in people if people.count(person) > 1}
        if repeated:
            raise forms.ValidationError(
                f"{', '.join(sorted(repeated))} is named more than once; name each leader once."
            )


LeaderFormSet = forms.formset_factory(
    LeaderForm, formset=BaseLeaderFormSet, extra=2, can_delete=True, max_num=12
)


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, team: Team) -> str:
        return f"{team.name} ({team.directorate.name}, {team.directorate.organisation.name})"


class StageForm(GovukFormMixin, forms.Form):
    stage_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label="Stage name", max_length=200)
    team = TeamChoiceField(
        queryset=Team.objects.select_related("directorate__organisation").order_by(
            "directorate__organisation__name", "directorate__name", "name"
        ),
        label="Owning team",
        required=False,
        empty_label="No owning team yet",
    )
    channels = forms.MultipleChoiceField(
        label="Channels",
        choices=Stage.Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    online = forms.BooleanField(label="Online", required=False)
    performer = forms.ChoiceField(
        label="Who performs it",
        choices=Stage.Performer.choices,
        initial=Stage.Performer.PEOPLE,
    )
    agent_team = TeamChoiceField(
        queryset=Team.objects.select_related("directorate__organisation").order_by(
            "directorate__organisation__name", "directorate__name", "name"
        ),
        label="Team accountable for the agent",
        required=False,
        empty_label="No team named",
        help_text="For automation or an AI agent: the team that answers for it.",
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("performer") == Stage.Performer.PEOPLE and data.get("agent_team"):
            self.add_error(
                "agent_team",
                "People perform this stage: choose automation or an AI agent under “Who "
                "performs it”, or leave the accountable team empty.",
            )
        return data


class BaseStageFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        names = [
            form.cleaned_data["name"].strip().lower()
            for form in self.forms
            if form.cleaned_data.get("name") and not form.cleaned_data.get("DELETE")
        ]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise forms.ValidationError(
                f"Two stages are called “{repeated[0]}”; give each stage its own name."
            )
        if not names:
            raise forms.ValidationError("A journey needs at least one stage.")
        ids = [
            form.cleaned_data["stage_id"]
            for form in self.forms
            if form.cleaned_data.get("stage_id") and not form.cleaned_data.get("DELETE")
        ]
        if len(ids) != len(set(ids)):  # only a page tampered with sends one stage twice
            raise forms.ValidationError(
                "The same stage is in the journey twice; reload the page and make your change "
                "again."
            )


StageFormSet = forms.formset_factory(
    StageForm, formset=BaseStageFormSet, extra=1, can_delete=True, can_order=True, max_num=30
)


class JourneySaveForm(GovukFormMixin, VersionForm):
    """The journey's version as the page was opened, and the leader's word that removing
    stages may delete what was logged against them."""

    remove_logged = forms.BooleanField(
        label="Yes, remove these stages and delete everything logged against them",
        required=False,
    )


class AssessmentForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = ProportionalityAssessment
        fields = [
            "important",
            "important_note",
            "large_complex",
            "large_complex_note",
            "in_house_control",
            "in_house_control_note",
            "major_change",
            "major_change_note",
            "critical_issues",
            "critical_issues_note",
            "assessed_on",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2}) for name in fields if name.endswith("_note")
        } | {"assessed_on": forms.DateInput(attrs={"type": "date"})}
        labels = {name: "Note" for name in fields if name.endswith("_note")}


class ProfileForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = ["wants_digest"]


# --- The organisation's structure, as org admins change it ----------------------------------


class OrganisationForm(GovukFormMixin, forms.ModelForm):
    """An organisation, with the cost of a contact on each channel where it knows it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        known = self.instance.contact_costs if isinstance(self.instance.contact_costs, dict) else {}
        for channel, label in Stage.Channel.choices:
            self.fields[f"contact_cost_{channel}"] = forms.DecimalField(
                label=f"Cost of a contact: {label.lower()} (optional)",
                required=False,
                min_value=Decimal(0),
                max_digits=12,
                decimal_places=2,
                initial=known.get(channel),
                # After the mixin has classed the others: the class it would give, last.
                widget=forms.TextInput(
                    attrs={"class": "govuk-input--width-10 govuk-input", "inputmode": "decimal"}
                ),
            )
        self.order_fields([*self.Meta.fields[:-1], *self.channel_fields(), "description"])

    @staticmethod
    def channel_fields() -> list[str]:
        return [f"contact_cost_{channel}" for channel in Stage.Channel.values]

    def clean(self) -> dict:
        data = super().clean()
        self.instance.contact_costs = {
            channel: f"{data[f'contact_cost_{channel}'] + 0:f}"  # "100", not "1E+2"; no "-0"
            for channel in Stage.Channel.values
            if data.get(f"contact_cost_{channel}") is not None
        }
        return data

    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "currency",
            "hourly_rate",
            "staff_fte",
            "cost_per_contact",
            "description",
        ]
        labels = {"kind": "Kind of organisation"}


class DirectorateForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Directorate
        fields = ["name", "parent", "code", "description"]
        labels = {"parent": "Sits within"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        parent.queryset = Directorate.objects.filter(
            organisation_id=self.instance.organisation_id
        ).exclude(pk=self.instance.pk)
        parent.empty_label = "No other directorate: it reports to the organisation"
        parent.label_from_instance = lambda directorate: directorate.name

    # The organisation is not a field here, so its uniqueness rules are checked by hand.
    def _taken(self, **lookup) -> bool:
        others = Directorate.objects.filter(organisation_id=self.instance.organisation_id)
        return others.exclude(pk=self.instance.pk).filter(**lookup).exists()

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if self._taken(name=name):
            raise forms.ValidationError(
                f"{self.instance.organisation.name} already has a directorate called {name}."
            )
        return name

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if code and self._taken(code=code):
            raise forms.ValidationError(
                f"Another directorate of {self.instance.organisation.name} has the code {code}."
            )
        return code


class DirectorateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, directorate: Directorate) -> str:
        return f"{directorate.name} ({directorate.organisation.name})"


class TeamForm(GovukFormMixin, forms.ModelForm):
    directorate = DirectorateChoiceField(
        queryset=Directorate.objects.select_related("organisation").order_by(
            "organisation__name", "name"
        ),
        help_text="Moving a team to another directorate or organisation changes the boundaries "
        "its stages' hand-offs cross: you will see which before anything is saved.",
    )
    # The directorate whose impact the person saw; a move is saved only once it has been seen.
    previewed = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Team
        fields = ["name", "team_type", "directorate", "description"]
        labels = {"team_type": "Type of team"}


class MembershipForm(GovukFormMixin, forms.ModelForm):
    person = PersonChoiceField(queryset=Person.objects.order_by("name"), label="Person")

    class Meta:
        model = TeamMembership
        fields = ["person", "role_title"]
        labels = {"role_title": "Role in the team (optional)"}

    def clean_person(self) -> Person:
        person = self.cleaned_data["person"]
        if TeamMembership.objects.filter(team_id=self.instance.team_id, person=person).exists():
            raise forms.ValidationError(f"{person.name} is already a member of this team.")
        return person

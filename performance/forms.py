from decimal import Decimal

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from decisions.models import DecisionType
from performance.figures.portfolio import (
    AGENT_CHOICES,
    COLUMNS,
    DEFAULT_COLUMNS,
    EXCEPTION_CHOICES,
)
from performance.figures.windows import EARLIEST
from performance.imports import KINDS
from performance.maturity import LEVELS, checks
from performance.models import (
    CapacityLog,
    ChangeInitiative,
    DataQualityFinding,
    FrictionPoint,
    Handoff,
    Scenario,
    TeamInteraction,
)
from performance.scenarios import Change, Kind
from servicelead.conflicts import UnchangedSinceMixin
from servicelead.forms import GovukFormMixin, RecordsChoiceField
from services.forms import CatalogueFilterForm, TeamChoiceField
from services.models import Organisation, Service, Stage, Team
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
                f"The file is {upload.size / 1024 / 1024:.0f} MB; the most is "
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

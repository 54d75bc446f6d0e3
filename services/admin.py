from django import forms
from django.contrib import admin, messages
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from services.actions import admin_remove, admin_save
from services.gaps import LEADERSHIP_TEAM_SIZE
from services.models import (
    Directorate,
    Organisation,
    Person,
    Priority,
    ProportionalityAssessment,
    Service,
    ServiceDependency,
    ServiceLeader,
    ServiceTeam,
    Stage,
    Team,
    TeamMembership,
)


class NotSaved(Exception):
    """An admin save the database refused as a whole."""


class ThroughActions(SimpleHistoryAdmin):
    """The admin writes through the record actions, as every other writer does: each save
    and removal, inlines included, raises the versions of the services it changes and brings
    access in step."""

    def save_model(self, request, obj, form, change) -> None:
        admin_save(obj, user=request.user)

    def delete_model(self, request, obj) -> None:
        admin_remove([obj], user=request.user)

    def delete_queryset(self, request, queryset) -> None:
        admin_remove(queryset, user=request.user)

    def save_formset(self, request, form, formset, change) -> None:
        saved = formset.save(commit=False)
        try:
            with transaction.atomic():
                admin_remove(formset.deleted_objects, user=request.user)
                for record in saved:
                    admin_save(record, user=request.user)
                formset.save_m2m()
        except IntegrityError as error:
            # Rows saved one at a time cannot swap what must be unique between them (two
            # stages' positions, two leaders' people).
            raise NotSaved(
                f"Nothing was saved: two {formset.model._meta.verbose_name_plural} cannot swap "
                "values that must be unique in one save. Change one, save, then the other."
            ) from error

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except NotSaved as refused:  # the whole save was rolled back
            self.message_user(request, str(refused), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class DirectorateInline(admin.TabularInline):
    model = Directorate
    fields = ["name", "parent"]
    autocomplete_fields = ["parent"]
    extra = 0
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(ThroughActions):
    list_display = ["name", "kind", "currency", "directorate_count"]
    list_filter = ["kind", "currency"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [DirectorateInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_directorates=Count("directorates"))

    @admin.display(description="Directorates", ordering="_directorates")
    def directorate_count(self, obj: Organisation) -> int:
        return obj._directorates


class TeamInline(admin.TabularInline):
    model = Team
    fields = ["name", "team_type"]
    extra = 0
    show_change_link = True


@admin.register(Directorate)
class DirectorateAdmin(ThroughActions):
    list_display = ["name", "organisation", "parent"]
    list_filter = ["organisation"]
    list_select_related = ["organisation", "parent__organisation"]
    search_fields = ["name", "organisation__name"]
    autocomplete_fields = ["organisation", "parent"]
    inlines = [TeamInline]


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    autocomplete_fields = ["person", "team"]
    extra = 0


@admin.register(Team)
class TeamAdmin(ThroughActions):
    list_display = ["name", "team_type", "directorate"]
    list_filter = ["team_type", "directorate__organisation"]
    list_select_related = ["directorate__organisation"]
    search_fields = ["name", "directorate__name", "directorate__organisation__name"]
    autocomplete_fields = ["directorate"]
    inlines = [MembershipInline]


@admin.register(Person)
class PersonAdmin(ThroughActions):
    list_display = ["name", "job_title", "email", "user"]
    search_fields = ["name", "email", "job_title"]
    autocomplete_fields = ["user"]
    inlines = [MembershipInline]


class StageForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        choices=Stage.Channel.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    performer = forms.ChoiceField(
        label="Who performs it", choices=Stage.Performer.choices, required=False
    )

    def clean_performer(self) -> str:
        """Not given: as it was (people, for a new stage)."""
        return self.cleaned_data["performer"] or self.instance.performer

    class Meta:
        model = Stage
        fields = [
            "service",
            "position",
            "name",
            "team",
            "channels",
            "online",
            "performer",
            "agent_team",
            "description",
        ]


class StageInline(admin.TabularInline):
    model = Stage
    form = StageForm
    fields = ["position", "name", "team", "channels", "online", "performer", "agent_team"]
    autocomplete_fields = ["team", "agent_team"]
    extra = 0
    ordering = ["position"]


class LeaderInline(admin.TabularInline):
    model = ServiceLeader
    autocomplete_fields = ["person"]
    extra = 0


class PriorityInline(admin.TabularInline):
    model = Priority
    extra = 0
    ordering = ["position"]


class AssessmentInline(admin.StackedInline):
    model = ProportionalityAssessment
    extra = 0
    max_num = 1


class ParticipationInline(admin.TabularInline):
    model = ServiceTeam
    autocomplete_fields = ["team"]
    extra = 0


class DependencyInline(admin.TabularInline):
    model = ServiceDependency
    fk_name = "service"
    autocomplete_fields = ["depends_on"]
    extra = 0
    verbose_name = "relies on"
    verbose_name_plural = "relies on"


@admin.register(Service)
class ServiceAdmin(ThroughActions):
    list_display = ["name", "organisation", "phase", "kind", "leadership_model", "restricted"]
    list_filter = ["phase", "kind", "leadership_model", "restricted", "organisation"]
    list_select_related = ["organisation"]
    search_fields = ["name", "slug", "purpose"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organisation"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "organisation", "kind", "phase", "restricted"]}),
        ("Purpose and direction", {"fields": ["purpose", "serves", "vision"]}),
        (
            "Automated decisions",
            {"fields": ["automated_decision_system", "automated_decision_description"]},
        ),
        ("Leadership", {"fields": ["leadership_model"]}),
    ]
    inlines = [
        PriorityInline,
        LeaderInline,
        AssessmentInline,
        StageInline,
        ParticipationInline,
        DependencyInline,
    ]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        service = form.instance
        leaders = service.leaders.count()
        if (
            service.leadership_model == Service.LeadershipModel.TEAM
            and leaders not in LEADERSHIP_TEAM_SIZE
        ):
            self.message_user(
                request,
                f"“{service}” has a leadership team of {leaders}; a leadership team works as "
                "one with 2 to 4 people.",
                messages.WARNING,
            )


@admin.register(Stage)
class StageAdmin(ThroughActions):
    form = StageForm
    list_display = ["name", "position", "service", "team", "online"]
    list_filter = ["online", "service__organisation"]
    list_select_related = ["service", "team"]
    search_fields = ["name", "service__name", "team__name"]
    autocomplete_fields = ["service", "team", "agent_team"]


@admin.register(ServiceDependency)
class ServiceDependencyAdmin(ThroughActions):
    list_display = ["service", "depends_on"]
    list_select_related = ["service", "depends_on"]
    search_fields = ["service__name", "depends_on__name"]
    autocomplete_fields = ["service", "depends_on"]

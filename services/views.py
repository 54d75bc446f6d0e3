from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from servicelead.conflicts import EditConflict, VersionForm
from servicelead.views import page_of, page_or_part, saved
from services.access import (
    LEAD,
    directorate_for_user,
    organisation_for_user,
    service_for_user,
    team_for_user,
    user_can,
)
from services.actions import (
    LeaderChange,
    StageChange,
    WouldDestroy,
    assessment_version,
    journey_version,
    leadership_version,
    person_settings_update,
    service_assessment_update,
    service_journey_update,
    service_leadership_update,
    service_update,
)
from services.forms import (
    AssessmentForm,
    CatalogueFilterForm,
    JourneySaveForm,
    LeaderFormSet,
    LeadershipModelForm,
    ProfileForm,
    ServiceDetailsForm,
    StageFormSet,
)
from services.models import Person, ProportionalityAssessment, Team
from services.panels import links, render_panels, render_part_panels
from services.queries import (
    catalogue,
    directorate_and_descendants,
    is_org_admin,
    organisation_directorates,
    organisation_services,
    organisations_overview,
    service_detail,
    service_history,
    services_taking_part,
    stages_owned,
)

CATALOGUE_PAGE_SIZE = 50


@require_GET
def catalogue_page(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    page, query = page_of(request, catalogue(request.user, form.filters()), CATALOGUE_PAGE_SIZE)
    return page_or_part(
        request,
        "services/catalogue.html",
        "services/_catalogue_results.html",
        {"form": form, "page": page, "query": query},
    )


@require_GET
def service_page(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug)
    return render(
        request,
        "services/service.html",
        {
            "detail": service_detail(request.user, service),
            "can_lead": user_can(request.user, LEAD, service),
            "panels": render_panels(request, service),
            "links": links(request, "service", service),
            "more_links": links(request, "service_more", service),
            "published_links": links(request, "published", service),
        },
    )


@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug, LEAD)
    priorities = "\n".join(p.text for p in service.priorities.order_by("position"))
    form = ServiceDetailsForm(
        request.POST or None, instance=service, initial={"priorities": priorities}
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ServiceDetailsForm.Meta.fields}
        write = partial(
            service_update,
            service=service,
            user=request.user,
            fields=fields,
            priorities=form.cleaned_data["priorities"],
            loaded_at=form.cleaned_data["loaded_at"],
        )
        if saved(request, form, write, message="Service details saved."):
            return redirect(service)
    return render(request, "services/service_edit.html", {"service": service, "form": form})


def _leader_changes(formset) -> list[LeaderChange]:
    """The leaders as posted: each form naming a person and not marked for removal."""
    return [
        LeaderChange(
            person=form.cleaned_data["person"],
            role=form.cleaned_data["role"],
            leads_on=form.cleaned_data["leads_on"],
        )
        for form in formset.forms
        if form.cleaned_data.get("person") and not form.cleaned_data.get("DELETE")
    ]


@require_http_methods(["GET", "POST"])
def service_leadership(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug, LEAD)
    model_form = LeadershipModelForm(
        request.POST or None, initial={"leadership_model": service.leadership_model}
    )
    leaders = service.leaders.select_related("person").order_by("person__name")
    initial = [{"person": x.person, "role": x.role, "leads_on": x.leads_on} for x in leaders]
    formset = LeaderFormSet(request.POST or None, prefix="leaders", initial=initial)
    version_form = VersionForm(
        request.POST or None, initial={"version": leadership_version(service)}
    )
    valid = request.method == "POST" and version_form.is_valid()
    if valid and model_form.is_valid() and formset.is_valid():
        write = partial(
            service_leadership_update,
            service=service,
            user=request.user,
            model=model_form.cleaned_data["leadership_model"],
            leaders=_leader_changes(formset),
            version=version_form.cleaned_data["version"],
        )
        if saved(request, model_form, write, message="Leadership saved."):
            return redirect(service)
    forms = {"model_form": model_form, "formset": formset, "version_form": version_form}
    return render(request, "services/service_leadership.html", {"service": service, **forms})


def _stages_now(service) -> list[dict]:
    """The journey's stages as the form starts them, in order."""
    return [
        {
            "stage_id": stage.pk,
            "name": stage.name,
            "team": stage.team_id,
            "channels": stage.channels,
            "online": stage.online,
            "performer": stage.performer,
            "agent_team": stage.agent_team_id,
            "ORDER": stage.position,
        }
        for stage in service.stages.order_by("position")
    ]


def _stage_changes(formset) -> list[StageChange]:
    """The journey as posted, in the order the forms give."""
    return [
        StageChange(
            stage_id=form.cleaned_data.get("stage_id"),
            name=form.cleaned_data["name"].strip(),
            team=form.cleaned_data["team"],
            channels=form.cleaned_data["channels"],
            online=form.cleaned_data["online"],
            performer=form.cleaned_data["performer"],
            agent_team=form.cleaned_data["agent_team"],
        )
        for form in formset.ordered_forms
    ]


@require_http_methods(["GET", "POST"])
def service_journey(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug, LEAD)
    formset = StageFormSet(request.POST or None, prefix="stages", initial=_stages_now(service))
    save_form = JourneySaveForm(request.POST or None, initial={"version": journey_version(service)})
    losses = []
    if request.method == "POST" and save_form.is_valid() and formset.is_valid():
        try:
            service_journey_update(
                service=service,
                user=request.user,
                stages=_stage_changes(formset),
                version=save_form.cleaned_data["version"],
                losses_confirmed=save_form.cleaned_data["remove_logged"],
            )
        except EditConflict as conflict:
            save_form.add_error(None, str(conflict))
        except WouldDestroy as refused:
            losses = refused.losses
        except ValidationError as problem:
            save_form.add_error(None, problem.messages)
        else:
            messages.success(request, "Journey saved.")
            return redirect(f"{service.get_absolute_url()}#journey")
    return render(
        request,
        "services/service_journey.html",
        {"service": service, "formset": formset, "save_form": save_form, "losses": losses},
    )


@require_http_methods(["GET", "POST"])
def service_assessment(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug, LEAD)
    instance = ProportionalityAssessment.objects.filter(service=service).first()
    form = AssessmentForm(request.POST or None, instance=instance)
    version_form = VersionForm(
        request.POST or None, initial={"version": assessment_version(service)}
    )
    if request.method == "POST" and version_form.is_valid() and form.is_valid():
        write = partial(
            service_assessment_update,
            service=service,
            user=request.user,
            fields=form.cleaned_data,
            version=version_form.cleaned_data["version"],
        )
        if saved(request, form, write, message="Proportionality assessment saved."):
            return redirect(service)
    return render(
        request,
        "services/service_assessment.html",
        {"service": service, "form": form, "version_form": version_form},
    )


@require_GET
def service_history_page(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug)
    return render(
        request,
        "services/service_history.html",
        {"service": service, "entries": service_history(request.user, service)},
    )


@require_GET
def organisations_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "services/organisations.html",
        {
            "organisations": organisations_overview(),
            "can_change_structure": is_org_admin(request.user),
        },
    )


@require_GET
def organisation_page(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_for_user(request.user, slug)
    teams = Team.objects.filter(directorate__organisation=organisation)
    return render(
        request,
        "services/organisation.html",
        {
            "organisation": organisation,
            "panels": render_part_panels(request, organisation),
            "links": links(request, "organisation", organisation),
            "can_change_structure": is_org_admin(request.user),
            "directorates": organisation_directorates(organisation),
            "services": organisation_services(request.user, organisation),
            "stages": stages_owned(request.user, teams),
        },
    )


@require_GET
def directorate_page(request: HttpRequest, pk: int) -> HttpResponse:
    directorate = directorate_for_user(request.user, pk)
    teams = Team.objects.filter(directorate_id__in=directorate_and_descendants(directorate))
    return render(
        request,
        "services/directorate.html",
        {
            "directorate": directorate,
            "panels": render_part_panels(request, directorate),
            "links": links(request, "directorate", directorate),
            "can_change_structure": is_org_admin(request.user),
            "subdirectorates": directorate.children.order_by("name"),
            "teams": directorate.teams.order_by("name"),
            "services": services_taking_part(request.user, teams),
            "stages": stages_owned(request.user, teams),
        },
    )


@require_GET
def team_page(request: HttpRequest, pk: int) -> HttpResponse:
    team = team_for_user(request.user, pk)
    teams = Team.objects.filter(pk=team.pk)
    return render(
        request,
        "services/team.html",
        {
            "team": team,
            "memberships": team.memberships.select_related("person").order_by("person__name"),
            "links": links(request, "team", team),
            "can_change_structure": is_org_admin(request.user),
            "services": services_taking_part(request.user, teams),
            "stages": stages_owned(request.user, teams),
        },
    )


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Your own settings: whether the weekly digest comes."""
    person = Person.objects.filter(user=request.user).first()
    data = request.POST if request.method == "POST" else None  # an unticked box posts nothing
    form = ProfileForm(data, instance=person) if person else None
    if form is not None and request.method == "POST" and form.is_valid():
        person_settings_update(person=person, user=request.user, fields=form.cleaned_data)
        messages.success(request, "Your settings are saved.")
        return redirect("services:profile")
    return render(request, "services/profile.html", {"person": person, "form": form})

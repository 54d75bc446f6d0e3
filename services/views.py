from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from services.access import service_for_user
from services.forms import CatalogueFilterForm
from services.models import Directorate, Organisation, Team
from services.queries import (
    catalogue,
    directorate_and_descendants,
    organisation_directorates,
    organisation_services,
    organisations_overview,
    service_detail,
    services_taking_part,
    stages_owned,
)

CATALOGUE_PAGE_SIZE = 50


@require_GET
def catalogue_page(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    page = Paginator(catalogue(request.user, form.filters()), CATALOGUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "services/_catalogue_results.html" if request.htmx else "services/catalogue.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def service_page(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug)
    return render(
        request, "services/service.html", {"detail": service_detail(request.user, service)}
    )


@require_GET
def organisations_page(request: HttpRequest) -> HttpResponse:
    return render(
        request, "services/organisations.html", {"organisations": organisations_overview()}
    )


@require_GET
def organisation_page(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    teams = Team.objects.filter(directorate__organisation=organisation)
    return render(
        request,
        "services/organisation.html",
        {
            "organisation": organisation,
            "directorates": organisation_directorates(organisation),
            "services": organisation_services(request.user, organisation),
            "stages": stages_owned(request.user, teams),
        },
    )


@require_GET
def directorate_page(request: HttpRequest, pk: int) -> HttpResponse:
    directorate = get_object_or_404(
        Directorate.objects.select_related("organisation", "parent"), pk=pk
    )
    teams = Team.objects.filter(directorate_id__in=directorate_and_descendants(directorate))
    return render(
        request,
        "services/directorate.html",
        {
            "directorate": directorate,
            "subdirectorates": directorate.children.order_by("name"),
            "teams": directorate.teams.order_by("name"),
            "services": services_taking_part(request.user, teams),
            "stages": stages_owned(request.user, teams),
        },
    )


@require_GET
def team_page(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(Team.objects.select_related("directorate__organisation"), pk=pk)
    teams = Team.objects.filter(pk=team.pk)
    return render(
        request,
        "services/team.html",
        {
            "team": team,
            "memberships": team.memberships.select_related("person").order_by("person__name"),
            "services": services_taking_part(request.user, teams),
            "stages": stages_owned(request.user, teams),
        },
    )

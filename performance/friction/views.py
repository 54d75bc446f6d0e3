"""The friction register's pages and the shared problems."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from performance.access import can_change_record
from performance.figures.extents import window_for
from performance.friction.access import friction_for_user
from performance.friction.actions import friction_save
from performance.friction.cost import across, costliest, default_rates
from performance.friction.forms import FrictionFilterForm, FrictionForm
from performance.friction.queries import FrictionFilters, friction_list
from performance.friction.shared_problems import MIN_DIRECTORATES, MIN_SERVICES, shared_problems
from performance.models import (
    FrictionPoint,
)
from servicelead.views import page_of, page_or_part, saved
from services.access import CONTRIBUTE, service_for_user, user_can
from services.models import Directorate
from services.queries import directorate_and_descendants, visible_services


def _friction_filters(request: HttpRequest) -> tuple[FrictionFilterForm, FrictionFilters]:
    form = FrictionFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # invalid filters are reported on the form and ignored
    data = form.cleaned_data if form.is_bound else {}
    directorate_ids = None
    if data.get("directorate"):
        directorate = Directorate.objects.filter(pk=data["directorate"]).first()
        directorate_ids = directorate_and_descendants(directorate) if directorate else []
    return form, FrictionFilters(
        q=data.get("q", ""),
        category=data.get("category", ""),
        severity=data.get("severity", ""),
        status=data.get("status", ""),
        directorate_ids=directorate_ids,
    )


def _friction_page(request, services, context: dict) -> HttpResponse:
    form, filters = _friction_filters(request)
    page, query = page_of(request, friction_list(services, filters), 50)
    if not request.htmx:  # what friction costs, above the list the filters change
        window = window_for({}, services)["window"]
        context |= {
            "costliest": costliest(FrictionPoint.objects.filter(service__in=services)),
            "against_run": across(services, window),
            "default_rates": default_rates(),
            "window": window,
        }
    return page_or_part(
        request,
        "performance/friction/friction.html",
        "performance/friction/_friction_results.html",
        context | {"form": form, "page": page, "query": query},
    )


@require_GET
def friction_register(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug)
    return _friction_page(
        request,
        visible_services(request.user).filter(pk=service.pk),
        {"service": service, "can_log": user_can(request.user, CONTRIBUTE, service)},
    )


@require_GET
def friction_all(request: HttpRequest) -> HttpResponse:
    return _friction_page(request, visible_services(request.user), {"service": None})


@require_http_methods(["GET", "POST"])
def friction_new(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug, CONTRIBUTE)
    form = FrictionForm(
        request.POST or None, service=service, initial={"raised_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        friction_save(point=form.instance, user=request.user)
        messages.success(request, f"Friction “{form.instance.title}” recorded.")
        return redirect("performance:friction", slug=service.slug)
    return render(
        request, "performance/friction/friction_form.html", {"service": service, "form": form}
    )


@require_http_methods(["GET", "POST"])
def friction_edit(request: HttpRequest, pk: int) -> HttpResponse:
    point = friction_for_user(request.user, pk)
    can_change = can_change_record(request.user, point.service, point.raised_by_id)
    if request.method == "POST" and not can_change:
        raise PermissionDenied
    form = FrictionForm(request.POST or None, instance=point, service=point.service)
    if request.method == "POST" and form.is_valid():
        write = partial(
            friction_save,
            point=form.instance,
            user=request.user,
            loaded_at=form.cleaned_data["loaded_at"],
        )
        if saved(request, form, write, message="Friction point saved."):
            return redirect("performance:friction", slug=point.service.slug)
    return render(
        request,
        "performance/friction/friction_form.html",
        {"service": point.service, "form": form, "point": point, "can_change": can_change},
    )


@require_GET
def shared_problems_page(request: HttpRequest) -> HttpResponse:
    """The same kind of friction with the same team across services and directorates."""
    problems = shared_problems(visible_services(request.user))
    return render(
        request,
        "performance/friction/shared_problems.html",
        {
            "problems": problems,
            "services": len({s.pk for p in problems for s in p.services}),
            "min_services": MIN_SERVICES,
            "min_directorates": MIN_DIRECTORATES,
        },
    )

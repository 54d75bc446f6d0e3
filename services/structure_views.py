"""Org admins' pages for the organisation's structure: organisations, directorates, teams and
their members, each written through the record actions (history, versions, access) as the
Django admin and the CSV imports write them. A team's move to another directorate shows
what it does to the journeys before anything is saved."""

from django.contrib import messages
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from services.access import (
    directorate_for_user,
    org_admins_only,
    organisation_for_user,
    team_for_user,
)
from services.actions import membership_remove, structure_save
from services.forms import DirectorateForm, MembershipForm, OrganisationForm, TeamForm
from services.models import Directorate, Organisation, Team, TeamMembership
from services.structure import team_move_impact, unique_slug


def _written(request: HttpRequest, form: ModelForm, message: str) -> Model:
    """Write a valid form's record: a new one is added, a changed one saved."""
    record = structure_save(form.save(commit=False), user=request.user)
    messages.success(request, message)
    return record


def _page(request: HttpRequest, form: ModelForm, **context) -> HttpResponse:
    return render(request, "services/structure_form.html", {"form": form, **context})


@require_http_methods(["GET", "POST"])
def organisation_new(request: HttpRequest) -> HttpResponse:
    org_admins_only(request.user)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"]
        taken = Organisation.objects.filter(slug__startswith=slugify(name)[:90])
        form.instance.slug = unique_slug(name, set(taken.values_list("slug", flat=True)))
        organisation = _written(request, form, f"{name} added.")
        return redirect(organisation)
    return _page(
        request,
        form,
        heading="Add an organisation",
        submit="Add the organisation",
        cancel=reverse("services:organisations"),
    )


@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_for_user(request.user, slug, change=True)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        _written(request, form, "Organisation saved.")
        return redirect(organisation)
    return _page(
        request,
        form,
        caption=organisation.name,
        heading="Change the organisation",
        submit="Save the organisation",
        cancel=organisation.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
def directorate_new(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_for_user(request.user, slug, change=True)
    form = DirectorateForm(request.POST or None, instance=Directorate(organisation=organisation))
    if request.method == "POST" and form.is_valid():
        directorate = _written(request, form, f"{form.cleaned_data['name']} added.")
        return redirect(directorate)
    return _page(
        request,
        form,
        caption=organisation.name,
        heading="Add a directorate",
        submit="Add the directorate",
        cancel=organisation.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
def directorate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    directorate = directorate_for_user(request.user, pk, change=True)
    form = DirectorateForm(request.POST or None, instance=directorate)
    if request.method == "POST" and form.is_valid():
        _written(request, form, "Directorate saved.")
        return redirect(directorate)
    return _page(
        request,
        form,
        caption=directorate.organisation.name,
        heading="Change the directorate",
        submit="Save the directorate",
        cancel=directorate.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
def team_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A new team owns no stage yet, so where it sits changes no journey."""
    directorate = directorate_for_user(request.user, pk, change=True)
    form = TeamForm(request.POST or None, initial={"directorate": directorate})
    if request.method == "POST" and form.is_valid():
        team = _written(request, form, f"{form.cleaned_data['name']} added.")
        return redirect(team)
    return _page(
        request,
        form,
        caption=f"{directorate.name}, {directorate.organisation.name}",
        heading="Add a team",
        submit="Add the team",
        cancel=directorate.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a team. A move to another directorate is saved only once its impact on the
    journeys (the hand-offs whose boundary changes) has been shown for that directorate."""
    team = team_for_user(request.user, pk, change=True)
    where = team.directorate  # before the form changes the team
    form = TeamForm(request.POST or None, instance=team)
    impact = None
    if request.method == "POST" and form.is_valid():
        destination = form.cleaned_data["directorate"]
        impact = team_move_impact(Team(pk=team.pk, directorate=where), destination)
        # (anything but the directorate shown is as if nothing was shown)
        if not impact.moved or form.cleaned_data["previewed"] == str(destination.pk):
            _written(request, form, "Team saved.")
            return redirect(team)
        form.data = form.data.copy()
        form.data["previewed"] = destination.pk  # seen now: the next save confirms it
    return _page(
        request,
        form,
        caption=f"{where.name}, {where.organisation.name}",
        heading="Change the team",
        submit="Confirm and save the team" if impact and impact.moved else "Save the team",
        cancel=team.get_absolute_url(),
        impact=impact,
        team=team,
    )


@require_http_methods(["GET", "POST"])
def team_members(request: HttpRequest, pk: int) -> HttpResponse:
    team = team_for_user(request.user, pk, change=True)
    form = MembershipForm(request.POST or None, instance=TeamMembership(team=team))
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["person"].name
        _written(request, form, f"{name} added to {team.name}.")
        return redirect("services:team_members", pk=team.pk)
    return render(
        request,
        "services/team_members.html",
        {
            "team": team,
            "form": form,
            "memberships": team.memberships.select_related("person").order_by("person__name"),
        },
    )


@require_POST
def team_member_remove(request: HttpRequest, pk: int, membership: int) -> HttpResponse:
    team = team_for_user(request.user, pk, change=True)
    found = get_object_or_404(
        TeamMembership.objects.select_related("person", "team"), pk=membership, team=team
    )
    membership_remove(found, user=request.user)
    messages.success(request, f"{found.person.name} removed from {found.team.name}.")
    return redirect("services:team_members", pk=pk)

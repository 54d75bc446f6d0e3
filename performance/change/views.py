"""The pages of change initiatives and what-if scenarios."""

from datetime import timedelta
from functools import partial

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from performance.change.access import change_for_user, scenario_for_user
from performance.change.actions import change_save, scenario_delete, scenario_save
from performance.change.forms import ChangeForm, ScenarioForm
from performance.change.queries import change_list
from performance.change.scenarios import (
    COUNTS,
    METRICS,
    Change,
    Figure,
    NoLongerApplies,
    metrics,
    predict,
)
from performance.figures.extents import window_for
from performance.flow.queries import service_flow
from performance.models import (
    ChangeInitiative,
    Scenario,
)
from performance.windows import Window
from servicelead.calendar import last_complete_week, week_of
from servicelead.views import saved
from services.access import LEAD, service_for_user, user_can
from services.models import Team


@require_GET
def change_page(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug)
    return render(
        request,
        "performance/change/change.html",
        {
            "service": service,
            "initiatives": change_list(service),
            "can_lead": user_can(request.user, LEAD, service),
        },
    )


@require_http_methods(["GET", "POST"])
def change_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    service = service_for_user(request.user, slug, LEAD)
    initiative = change_for_user(request.user, pk) if pk else ChangeInitiative(service=service)
    if initiative.service_id != service.pk:
        raise Http404("That initiative belongs to another service.")
    form = ChangeForm(request.POST or None, instance=initiative, service=service)
    if request.method == "POST" and form.is_valid():
        write = partial(
            change_save,
            initiative=form.instance,
            user=request.user,
            stages=list(form.cleaned_data["affected_stages"]),
            teams=list(form.cleaned_data["delivering_teams"]),
            loaded_at=form.cleaned_data["loaded_at"],
        )
        if saved(request, form, write, message=f"Change initiative “{form.instance.title}” saved."):
            return redirect("performance:change", slug=service.slug)
    return render(
        request,
        "performance/change/change_form.html",
        {"service": service, "form": form, "initiative": initiative},
    )


def _scenario_context(scenario: Scenario) -> dict:
    """A saved scenario's changes in words, what it predicted, and, once its change initiative
    is done, what happened in the weeks after."""
    service = scenario.service
    stages = {s.pk: s for s in service.stages.all()}
    changes = [Change.from_json(c) for c in scenario.changes]
    teams = Team.objects.in_bulk({c.team for c in changes if c.team})
    predicted = scenario.predicted
    after = _weeks_after(scenario.initiative)
    actual = metrics(service_flow(service, after)) if after else {}
    rows = [
        (label, shown, Figure.from_json(predicted["figures"][key]), actual.get(key))
        for key, (label, shown) in METRICS.items()
    ]
    counts = [
        (label, predicted["counts_today"][key], predicted["counts_then"][key])
        for key, label in COUNTS.items()
    ]
    return {
        "scenario": scenario,
        "changes": [
            said.get("said") or change.describe(stages, teams)
            for said, change in zip(scenario.changes, changes, strict=True)
        ],
        "rows": rows,
        "counts": counts,
        "weeks": predicted["weeks"],
        "after": after,
    }


def _weeks_after(initiative: ChangeInitiative | None) -> Window | None:
    """The complete weeks since a change initiative was done, if it is and any have passed."""
    if initiative is None or initiative.status != ChangeInitiative.Status.DONE:
        return None
    if initiative.ends_on is None:
        return None
    start = initiative.ends_on + timedelta(days=1)
    end = week_of(last_complete_week())[1]
    return Window(start, end) if start <= end else None


@require_GET
def scenarios_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A service's saved scenarios, any of them side by side."""
    service = service_for_user(request.user, slug)
    scenarios = list(service.scenarios.select_related("initiative", "created_by"))
    wanted = set(request.GET.getlist("compare"))
    compared = [_scenario_context(s) for s in scenarios if str(s.pk) in wanted]
    return render(
        request,
        "performance/change/scenarios.html",
        {
            "service": service,
            "scenarios": scenarios,
            "compared": compared,
            "metric_labels": [label for label, _ in METRICS.values()],
            "can_lead": user_can(request.user, LEAD, service),
        },
    )


def _scenario(service, form, changes, window, prediction) -> Scenario:
    """The scenario to keep: each change in words as the journey is now, so a journey edited
    later keeps what was meant."""
    stages = {s.pk: s for s in service.stages.all()}
    teams = Team.objects.in_bulk({c.team for c in changes if c.team})
    return Scenario(
        service=service,
        name=form.cleaned_data["name"],
        changes=[c.to_json() | {"said": c.describe(stages, teams)} for c in changes],
        window_start=window.start,
        window_end=window.end,
        predicted=prediction.to_json(),
        initiative=form.cleaned_data["initiative"],
    )


@require_http_methods(["GET", "POST"])
def scenario_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Build a scenario on the flow view's window: preview it, then keep it."""
    service = service_for_user(request.user, slug, LEAD)
    context = window_for(request.GET, [service])
    window = context["window"]
    form = ScenarioForm(request.POST or None, service=service)
    prediction = None
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        try:
            prediction = predict(service, window, changes)
        except NoLongerApplies as problem:  # the journey changed since the page was opened
            form.add_error(None, f"{problem} Reload the page and choose again.")
        else:
            if request.POST.get("action") == "save":
                scenario = _scenario(service, form, changes, window, prediction)
                scenario_save(scenario=scenario, user=request.user)
                messages.success(request, f"Scenario “{scenario.name}” saved.")
                return redirect(scenario)
    return render(
        request,
        "performance/change/scenario_form.html",
        {**context, "service": service, "form": form, "prediction": prediction},
    )


@require_http_methods(["GET", "POST"])
def scenario_page(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = scenario_for_user(request.user, pk, change=request.method == "POST")
    if request.method == "POST":
        scenario_delete(scenario=scenario, user=request.user)
        messages.success(request, f"Scenario “{scenario.name}” deleted.")
        return redirect("performance:scenarios", slug=scenario.service.slug)
    return render(
        request,
        "performance/change/scenario.html",
        {**_scenario_context(scenario), "service": scenario.service}
        | {"can_lead": user_can(request.user, LEAD, scenario.service)},
    )

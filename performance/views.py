from collections import Counter
from datetime import date, timedelta
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from performance.access import (
    can_change_record,
    change_for_user,
    friction_for_user,
    team_for_logging,
)
from performance.actions import (
    capacity_record,
    change_save,
    friction_save,
    handoff_log_record,
    interaction_add,
    interaction_remove,
    log_version,
    scenario_delete,
    scenario_save,
    stage_log_record,
)
from performance.drift import KINDS, drift_events
from performance.figures.rollups import window_for
from performance.figures.windows import EARLIEST, LATEST, Window
from performance.forms import (
    CapacityForm,
    ChangeForm,
    FrictionFilterForm,
    FrictionForm,
    HandoffLogForm,
    InteractionForm,
    ScenarioForm,
    StageLogForm,
)
from performance.home import home_for
from performance.models import (
    CapacityLog,
    ChangeInitiative,
    FrictionPoint,
    Scenario,
    TeamInteraction,
)
from performance.pricing import across, costliest, default_rates
from performance.queries import (
    FrictionFilters,
    HandoffToLog,
    StageToLog,
    change_list,
    friction_list,
    friction_summary,
    handover_matrix,
    last_week_before,
    service_flow,
    team_week,
    week_of,
)
from performance.scenarios import (
    COUNTS,
    METRICS,
    Change,
    Figure,
    NoLongerApplies,
    metrics,
    predict,
)
from performance.shared import MIN_DIRECTORATES, MIN_SERVICES, shared_problems
from performance.teamwork import teamwork
from servicelead.conflicts import EditConflict, who
from servicelead.views import page_of, page_or_part, saved
from services.access import CONTRIBUTE, LEAD, look_up_perms, service_for_user, user_can
from services.models import Directorate, Service, Team
from services.queries import directorate_and_descendants, visible_services

# --- The team's weekly log ------------------------------------------------------------------


def last_complete_week() -> date:
    """The Monday of the last week that is over: the week a team logs."""
    return last_week_before(timezone.localdate())


def _week(request: HttpRequest) -> date:
    """The Monday of the week asked for; the last complete week's when none is asked for, and,
    saying so, for one that is not a date, lies outside the dates a window can cover, or has
    not begun (nothing is logged ahead). This week, not yet over, can be logged as it goes."""
    raw = request.GET.get("week") or request.POST.get("week") or ""
    today = timezone.localdate()
    try:
        day = date.fromisoformat(raw) if raw else last_complete_week()
    except ValueError:
        day = None
    if day is None or not EARLIEST <= day <= LATEST:
        messages.warning(
            request, f"“{raw[:40]}” is not a week this log can show: here is last week."
        )
        day = last_complete_week()
    elif week_of(day)[0] > week_of(today)[0]:
        messages.warning(request, f"The week of {day:%-d %B %Y} has not begun: here is last week.")
        day = last_complete_week()
    return week_of(day)[0]


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each person's start: what needs them, on their services and in their teams."""
    return render(
        request, "performance/home.html", {"home": home_for(request.user, last_complete_week())}
    )


def _row_form(row: HandoffToLog | StageToLog, data=None):
    """The form for one row, prefilled with this week's log or else last week's."""
    source = row.log or row.last
    version = {"loaded_at": log_version(row.log)}
    if isinstance(row, HandoffToLog):
        initial = (
            {
                "handed_over": source.handed_over,
                "returned": source.returned,
                "median_wait_hours": source.median_wait_hours,
            }
            if source
            else {}
        )
        return HandoffLogForm(data, prefix=row.key, initial=initial | version)
    initial = (
        {"completed": source.completed, "median_process_hours": source.median_process_hours}
        if source
        else {}
    )
    return StageLogForm(data, prefix=row.key, initial=initial | version)


def _save_row(request, row, form, week_start: date) -> str | None:
    """Save one valid row; returns "created", "updated" or "unchanged", or None with the
    form's error when somebody saved the row since the page was opened."""
    period = {"period_start": week_start, "period_end": week_start + timedelta(days=6)}
    try:
        if isinstance(row, HandoffToLog):
            row.handoff.service = row.service
            log, outcome = handoff_log_record(
                handoff=row.handoff, user=request.user, **period, **form.cleaned_data
            )
        else:
            log, outcome = stage_log_record(
                stage=row.stage, user=request.user, **period, **form.cleaned_data
            )
    except EditConflict as conflict:
        form.add_error(None, str(conflict))
        return None
    if isinstance(row, HandoffToLog):
        row.handoff = log.handoff  # saved with its first log
    row.log = log
    return outcome


def row_name(row: HandoffToLog | StageToLog) -> str:
    if isinstance(row, HandoffToLog):
        return f"The hand-off {row.handoff} ({row.service.name})"
    return f"Stage {row.stage.position}: {row.stage.name} ({row.stage.service.name})"


def _service_of(row: HandoffToLog | StageToLog) -> Service:
    return row.service if isinstance(row, HandoffToLog) else row.stage.service


def _editable(request, row) -> bool:
    author = row.log.logged_by_id if row.log else None
    return can_change_record(request.user, _service_of(row), author)


def _the_week_asked(request: HttpRequest, week_start: date) -> bool:
    """Whether the week the request names is the one ``_week`` gave (not last week in its
    place): figures posted for a week that cannot be logged are never saved to another."""
    raw = request.GET.get("week") or request.POST.get("week") or ""
    try:
        return not raw or week_of(date.fromisoformat(raw))[0] == week_start
    except ValueError:
        return False


@require_http_methods(["GET", "POST"])
def team_log(request: HttpRequest, pk: int) -> HttpResponse:
    """This week's hand-offs and stages for a team: one form, every row saved on its own."""
    team = team_for_logging(request.user, pk)
    week_start = _week(request)
    if request.method == "POST" and not _the_week_asked(request, week_start):
        messages.error(request, "Nothing was saved: that week cannot be logged.")
        return redirect(f"{request.path}?week={week_start.isoformat()}")
    handoff_rows, stage_rows = team_week(request.user, team, week_start)
    rows = [*handoff_rows, *stage_rows]
    look_up_perms(request.user, [_service_of(row) for row in rows])
    saved = 0
    entries = []
    for row in rows:
        editable = _editable(request, row)
        posted = request.method == "POST" and row.key + "-present" in request.POST
        if posted and not editable:  # somebody else logged it since the page was opened
            messages.error(
                request,
                f"{row_name(row)} was logged by {who(row.log.logged_by)} since you opened "
                "this page; only they or a leader of the service can change it, so your "
                "figures for it were not saved.",
            )
        if posted and editable:
            form = _row_form(row, request.POST)
            if form.is_valid():
                outcome = _save_row(request, row, form, week_start)
                if outcome is not None:
                    saved += outcome != "unchanged"
                    form = _row_form(row)
        else:
            form = _row_form(row)
        entries.append((row, form, editable))
    capacity, outcome = _capacity(request, team, week_start)
    saved += outcome not in (None, "unchanged")
    refused = [(row, form) for row, form, _ in entries if form.errors]
    if request.method == "POST" and not refused and not capacity.errors:
        messages.success(request, f"Saved: {saved} row{'s' if saved != 1 else ''} changed.")
        return redirect(f"{request.path}?week={week_start.isoformat()}")
    this_week = week_of(timezone.localdate())[0]
    return render(
        request,
        "performance/team_log.html",
        {
            "team": team,
            "week_start": week_start,
            "week_end": week_start + timedelta(days=6),
            "previous_week": week_start - timedelta(days=7),
            # None for this week: a week that has not begun cannot be logged.
            "next_week": (
                week_start + timedelta(days=7)
                if week_start < week_of(timezone.localdate())[0]
                else None
            ),
            "which_week": (
                "This week, not over yet"
                if week_start == this_week
                else "Last week"
                if week_start == this_week - timedelta(days=7)
                else "An earlier week"
            ),
            "handoff_entries": [e for e in entries if isinstance(e[0], HandoffToLog)],
            "stage_entries": [e for e in entries if isinstance(e[0], StageToLog)],
            # After "Save the week": the rows not saved, each with its first problem, and how
            # many others were.
            "refused": [
                (row, row_name(row), next(iter(form.errors.values()))[0]) for row, form in refused
            ],
            "saved": saved,
            "capacity": capacity,
        },
    )


def _capacity(request: HttpRequest, team, week_start: date) -> tuple[CapacityForm, str | None]:
    """The week's capacity split: saved when posted and given, else shown as logged (or as
    the week before was, where this one has none yet)."""
    logs = CapacityLog.objects.filter(team=team, period_start__lte=week_start)
    log = logs.order_by("-period_start").first()
    initial = {part: getattr(log, part) for part in CapacityLog.PARTS} if log else {}
    posted = request.method == "POST" and "capacity-present" in request.POST
    form = CapacityForm(request.POST if posted else None, prefix="capacity", initial=initial)
    if not posted or not form.is_valid() or form.shares is None:
        return form, None
    _, outcome = capacity_record(
        team=team, user=request.user, week_start=week_start, shares=form.shares
    )
    return form, outcome


@require_POST
def team_log_row(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """Save one row of the weekly log (htmx); answers with the row, saved or with its errors."""
    team = team_for_logging(request.user, pk)
    week_start = _week(request)
    if not _the_week_asked(request, week_start):
        raise Http404("That week cannot be logged.")
    handoff_rows, stage_rows = team_week(request.user, team, week_start)
    row = next((r for r in [*handoff_rows, *stage_rows] if r.key == key), None)
    if row is None:
        raise Http404("That row is not part of this team's week.")
    if not _editable(request, row):
        raise PermissionDenied
    form = _row_form(row, request.POST)
    outcome = None
    if form.is_valid():
        outcome = _save_row(request, row, form, week_start)
        if outcome is not None:
            form = _row_form(row)  # as saved, at its new version
    template = (
        "performance/_handoff_row.html"
        if isinstance(row, HandoffToLog)
        else "performance/_stage_row.html"
    )
    return render(
        request,
        template,
        {
            "row": row,
            "form": form,
            "editable": True,
            "outcome": outcome,
            "team": team,
            "week_start": week_start,
        },
    )


# --- Flow -----------------------------------------------------------------------------------


@require_GET
def flow_page(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug)
    context = window_for(request.GET, [service])
    flow = service_flow(service, context["window"])
    return render(
        request,
        "performance/flow.html",
        {
            **context,
            "service": service,
            "flow": flow,
            "matrix": handover_matrix(flow),
            "friction": friction_summary(service, context["window"]),
            # Asked only where the page offers to describe a missing journey.
            "can_lead": not flow.stages and user_can(request.user, LEAD, service),
        },
    )


# --- Friction -------------------------------------------------------------------------------


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
        "performance/friction.html",
        "performance/_friction_results.html",
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
    return render(request, "performance/friction_form.html", {"service": service, "form": form})


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
        "performance/friction_form.html",
        {"service": point.service, "form": form, "point": point, "can_change": can_change},
    )


# --- Change initiatives ---------------------------------------------------------------------


@require_GET
def change_page(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug)
    return render(
        request,
        "performance/change.html",
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
        "performance/change_form.html",
        {"service": service, "form": form, "initiative": initiative},
    )


# --- Accountability drift -------------------------------------------------------------------


@require_GET
def drift_page(request: HttpRequest) -> HttpResponse:
    """Drift across every service the user may see, over the last 12 months."""
    today = timezone.localdate()
    services = list(visible_services(request.user).select_related("organisation"))
    events = [e for e in drift_events(services, today) if e.on > today - timedelta(days=365)]
    counts = Counter(e.kind for e in events)
    page, query = page_of(request, events, 50)
    return render(
        request,
        "performance/drift.html",
        {
            "page": page,
            "query": query,
            "events": page.object_list,
            "counts": [(KINDS[kind], counts[kind]) for kind in KINDS if counts[kind]],
            "total": len(events),
            "services": len({e.service.pk for e in events}),
        },
    )


@require_GET
def shared_problems_page(request: HttpRequest) -> HttpResponse:
    """The same kind of friction with the same team across services and directorates."""
    problems = shared_problems(visible_services(request.user))
    return render(
        request,
        "performance/shared_problems.html",
        {
            "problems": problems,
            "services": len({s.pk for p in problems for s in p.services}),
            "min_services": MIN_SERVICES,
            "min_directorates": MIN_DIRECTORATES,
        },
    )


# --- Teams as they work together ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def interactions_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A service's leaders record how the teams on its journey work together."""
    service = service_for_user(request.user, slug, LEAD)
    form = InteractionForm(
        request.POST if request.POST.get("action") == "add" else None, service=service
    )
    if request.method == "POST" and request.POST.get("action") == "remove":
        interaction = get_object_or_404(
            TeamInteraction, pk=_posted_id(request, "interaction"), service=service
        )
        interaction_remove(interaction=interaction, user=request.user)
        messages.success(request, f"Removed: {interaction}.")
        return redirect("performance:interactions", slug=service.slug)
    if request.method == "POST" and form.is_valid():
        write = partial(interaction_add, interaction=form.instance, user=request.user)
        if saved(request, form, write, message=f"Recorded: {form.instance}."):
            return redirect("performance:interactions", slug=service.slug)
    return render(
        request,
        "performance/interactions.html",
        {
            "service": service,
            "form": form,
            "teamwork": teamwork(service, timezone.localdate()),
        },
    )


def _posted_id(request: HttpRequest, name: str) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise Http404(f"No such {name}.") from None


# --- What if we changed the journey? --------------------------------------------------------


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
    end = last_complete_week() + timedelta(days=6)
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
        "performance/scenarios.html",
        {
            "service": service,
            "scenarios": scenarios,
            "compared": compared,
            "metric_labels": [label for label, _ in METRICS.values()],
            "can_lead": user_can(request.user, LEAD, service),
        },
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
                stages = {s.pk: s for s in service.stages.all()}
                teams = Team.objects.in_bulk({c.team for c in changes if c.team})
                scenario = Scenario(
                    service=service,
                    name=form.cleaned_data["name"],
                    # Each in words as the journey is now: a journey edited later keeps them.
                    changes=[c.to_json() | {"said": c.describe(stages, teams)} for c in changes],
                    window_start=window.start,
                    window_end=window.end,
                    predicted=prediction.to_json(),
                    initiative=form.cleaned_data["initiative"],
                )
                scenario_save(scenario=scenario, user=request.user)
                messages.success(request, f"Scenario “{scenario.name}” saved.")
                return redirect(scenario)
    return render(
        request,
        "performance/scenario_form.html",
        {**context, "service": service, "form": form, "prediction": prediction},
    )


@require_http_methods(["GET", "POST"])
def scenario_page(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_object_or_404(
        Scenario.objects.filter(service__in=visible_services(request.user)).select_related(
            "service", "initiative", "created_by"
        ),
        pk=pk,
    )
    can_lead = user_can(request.user, LEAD, scenario.service)
    if request.method == "POST":
        if not can_lead:
            raise PermissionDenied
        scenario_delete(scenario=scenario, user=request.user)
        messages.success(request, f"Scenario “{scenario.name}” deleted.")
        return redirect("performance:scenarios", slug=scenario.service.slug)
    return render(
        request,
        "performance/scenario.html",
        {**_scenario_context(scenario), "service": scenario.service, "can_lead": can_lead},
    )

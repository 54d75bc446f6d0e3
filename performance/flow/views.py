"""The team's weekly log, the flow page and the teams' interactions."""

from datetime import date, timedelta
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from performance.access import can_change_record
from performance.figures.extents import window_for
from performance.flow.access import interaction_of, team_for_logging
from performance.flow.actions import (
    capacity_record,
    handoff_log_record,
    interaction_add,
    interaction_remove,
    log_version,
    stage_log_record,
)
from performance.flow.forms import CapacityForm, HandoffLogForm, InteractionForm, StageLogForm
from performance.flow.queries import (
    HandoffToLog,
    StageToLog,
    handover_matrix,
    service_flow,
    team_week,
)
from performance.flow.teamwork import teamwork
from performance.friction.queries import friction_summary
from performance.models import (
    CapacityLog,
)
from performance.windows import EARLIEST, LATEST
from servicelead.calendar import last_complete_week, week_of
from servicelead.conflicts import EditConflict, who
from servicelead.views import saved
from services.access import LEAD, look_up_perms, service_for_user, user_can
from services.models import Service


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
    period = {"period_start": week_start, "period_end": week_of(week_start)[1]}
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


def _weeks_around(week_start: date) -> dict:
    """The week shown and the links to the weeks either side; none after this week (a week
    that has not begun cannot be logged)."""
    this_week = week_of(timezone.localdate())[0]
    before = week_start - timedelta(days=7)
    return {
        "week_start": week_start,
        "week_end": week_of(week_start)[1],
        "previous_week": before,
        "next_week": week_start + timedelta(days=7) if week_start < this_week else None,
        "which_week": (
            "This week, not over yet"
            if week_start == this_week
            else "Last week"
            if week_start == this_week - timedelta(days=7)
            else "An earlier week"
        ),
    }


def _log_rows(request: HttpRequest, rows: list, week_start: date) -> tuple[list, int]:
    """Each row with its form and whether the user may edit it, the posted rows saved on
    their own: ``(entries, how many rows changed)``."""
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
        form = _row_form(row, request.POST if posted and editable else None)
        if form.is_bound and form.is_valid():
            outcome = _save_row(request, row, form, week_start)
            if outcome is not None:
                saved += outcome != "unchanged"
                form = _row_form(row)
        entries.append((row, form, editable))
    return entries, saved


@require_http_methods(["GET", "POST"])
def team_log(request: HttpRequest, pk: int) -> HttpResponse:
    """This week's hand-offs and stages for a team: one form, every row saved on its own."""
    team = team_for_logging(request.user, pk)
    week_start = _week(request)
    if request.method == "POST" and not _the_week_asked(request, week_start):
        messages.error(request, "Nothing was saved: that week cannot be logged.")
        return redirect(f"{request.path}?week={week_start.isoformat()}")
    handoff_rows, stage_rows = team_week(request.user, team, week_start)
    entries, saved = _log_rows(request, [*handoff_rows, *stage_rows], week_start)
    capacity, outcome = _capacity(request, team, week_start)
    saved += outcome not in (None, "unchanged")
    # After "Save the week": the rows not saved, each with its first problem.
    refused = [
        (row, row_name(row), next(iter(form.errors.values()))[0])
        for row, form, _ in entries
        if form.errors
    ]
    if request.method == "POST" and not refused and not capacity.errors:
        messages.success(request, f"Saved: {saved} row{'s' if saved != 1 else ''} changed.")
        return redirect(f"{request.path}?week={week_start.isoformat()}")
    return render(
        request,
        "performance/flow/team_log.html",
        {"team": team, "refused": refused, "saved": saved, "capacity": capacity}
        | _weeks_around(week_start)
        | {
            "handoff_entries": [e for e in entries if isinstance(e[0], HandoffToLog)],
            "stage_entries": [e for e in entries if isinstance(e[0], StageToLog)],
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
    row = _editable_row(request, team, week_start, key)
    form = _row_form(row, request.POST)
    outcome = _save_row(request, row, form, week_start) if form.is_valid() else None
    if outcome is not None:
        form = _row_form(row)  # as saved, at its new version
    template = "_handoff_row" if isinstance(row, HandoffToLog) else "_stage_row"
    return render(
        request,
        f"performance/flow/{template}.html",
        {"row": row, "form": form, "editable": True, "outcome": outcome, "team": team}
        | {"week_start": week_start},
    )


def _editable_row(request: HttpRequest, team, week_start: date, key: str):
    """The row ``key`` of the team's week, if the user may edit it (404 or 403 if not)."""
    handoff_rows, stage_rows = team_week(request.user, team, week_start)
    row = next((r for r in [*handoff_rows, *stage_rows] if r.key == key), None)
    if row is None:
        raise Http404("That row is not part of this team's week.")
    if not _editable(request, row):
        raise PermissionDenied
    return row


@require_GET
def flow_page(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug)
    context = window_for(request.GET, [service])
    flow = service_flow(service, context["window"])
    return render(
        request,
        "performance/flow/flow.html",
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


@require_http_methods(["GET", "POST"])
def interactions_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A service's leaders record how the teams on its journey work together."""
    service = service_for_user(request.user, slug, LEAD)
    form = InteractionForm(
        request.POST if request.POST.get("action") == "add" else None, service=service
    )
    if request.method == "POST" and request.POST.get("action") == "remove":
        interaction = interaction_of(service, _posted_id(request, "interaction"))
        interaction_remove(interaction=interaction, user=request.user)
        messages.success(request, f"Removed: {interaction}.")
        return redirect("performance:interactions", slug=service.slug)
    if request.method == "POST" and form.is_valid():
        write = partial(interaction_add, interaction=form.instance, user=request.user)
        if saved(request, form, write, message=f"Recorded: {form.instance}."):
            return redirect("performance:interactions", slug=service.slug)
    return render(
        request,
        "performance/flow/interactions.html",
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

"""The panels performance adds to the service page (flow, friction and change; the evidence
for proportionality) and to the organisation and directorate pages (their exceptions), and
the links it adds to them and to the team page."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from performance.figures.exceptions import exceptions_in
from performance.figures.extents import window_for
from performance.figures.portfolio import PortfolioFilters
from performance.figures.summary_cache import cached_summary
from performance.flow.access import may_log
from performance.flow.queries import service_flow
from performance.flow.teamwork import CHANGE_FLOOR, CHANGE_WEEKS, teamwork
from performance.friction.queries import friction_summary
from performance.leadership.campaigns import in_campaigns
from performance.leadership.drift import drift_events
from performance.leadership.maturity import LEVELS, checks, scorecards
from performance.leadership.proportionality import evidence_for
from performance.models import ChangeInitiative
from services import panels
from services.access import CONTRIBUTE, LEAD, user_can
from services.models import Directorate, Organisation, Service, Team

HISTORY_SHOWN = 12  # changes of a service's maturity level listed, newest first


@panels.register
def flow_panel(request: HttpRequest, service: Service) -> tuple[str, dict]:
    choice = window_for({}, [service])
    window = choice["window"]
    label = choice["presets"][window.preset][0]
    return "performance/_service_panel.html", {
        "service": service,
        "window": window,
        "window_label": label,
        "flow": service_flow(service, window),
        "friction": friction_summary(service, window),
        "active_changes": ChangeInitiative.objects.filter(
            service=service, status=ChangeInitiative.Status.ACTIVE
        ).count(),
        "can_log": user_can(request.user, CONTRIBUTE, service),
        "can_lead": user_can(request.user, LEAD, service),
        "findings": service.findings.count(),
    }


@panels.register_part
def exceptions_panel(request: HttpRequest, part: Organisation | Directorate) -> tuple[str, dict]:
    """The portfolio's exceptions among the services the organisation or directorate is
    accountable for or takes part in."""
    if isinstance(part, Organisation):
        filters, scope = PortfolioFilters(organisation=part), f"organisation={part.slug}&"
        reach = "is accountable for or takes part in"
    else:
        filters, scope = PortfolioFilters(directorate=part), f"directorate={part.pk}&"
        reach = "takes part in (its teams, or those of the directorates within it, own a stage)"
    return "performance/figures/_part_exceptions.html", {
        "part": part,
        "reach": reach,
        "x": exceptions_in(request.user, filters),
        "scope": scope,
    }


@panels.register
def leadership_panel(request: HttpRequest, service: Service) -> tuple[str, dict]:
    """Its leadership maturity (the scorecard and the one thing that would raise it), and
    what the data suggests for each proportionality criterion, beside the assessment."""
    window = window_for({}, [service])["window"]
    summary = {service.pk: cached_summary(service, window)}
    evidence = evidence_for(summary, window)
    names = {key: name for key, (_, name) in checks().items()}
    return "performance/leadership/_leadership_panels.html", {
        "service": service,
        "evidence": evidence[service.pk],
        "scorecard": scorecards(summary, evidence)[service.pk],
        "history": [
            (r, LEVELS[r.level], [names.get(key, key) for key in r.failed])
            for r in service.maturity_records.order_by("-recorded_on")[:HISTORY_SHOWN]
        ],
        "campaigns": [(c, names[c.check_key], passes) for c, passes in in_campaigns(service)],
        "can_lead": user_can(request.user, LEAD, service),
    }


@panels.register
def teamwork_panel(request: HttpRequest, service: Service) -> tuple[str, dict]:
    """How the teams on its journey work together, and how they spend their weeks."""
    return "performance/flow/_teamwork_panel.html", {
        "service": service,
        "teamwork": teamwork(service, timezone.localdate()),
        "can_lead": user_can(request.user, LEAD, service),
        "change_floor": CHANGE_FLOOR,
        "change_weeks": CHANGE_WEEKS,
    }


@panels.register
def drift_panel(request: HttpRequest, service: Service) -> tuple[str, dict]:
    """The service's accountability drift, read from its history: a dated timeline."""
    return "performance/leadership/_drift_panel.html", {"events": drift_events([service])}


@panels.register_link("service")
def dashboard_link(request: HttpRequest, service: Service) -> tuple[str, str]:
    return "Dashboard", reverse("performance:dashboard", args=[service.slug])


@panels.register_link("service_more")
def tokens_link(request: HttpRequest, service: Service) -> tuple[str, str] | None:
    if not user_can(request.user, LEAD, service):
        return None
    return "API tokens", reverse("performance:tokens", args=[service.slug])


@panels.register_link("service_more")
def imports_link(request: HttpRequest, service: Service) -> tuple[str, str]:
    return "Import history", reverse("performance:service_imports", args=[service.slug])


SHARE = "Its share of each service's cost, and the hand-offs across its boundary"


@panels.register_link("organisation")
def organisation_share_link(request: HttpRequest, organisation: Organisation) -> tuple[str, str]:
    return SHARE, reverse("performance:organisation_share", args=[organisation.slug])


@panels.register_link("directorate")
def directorate_share_link(request: HttpRequest, directorate: Directorate) -> tuple[str, str]:
    return SHARE, reverse("performance:directorate_share", args=[directorate.pk])


@panels.register_link("team")
def team_log_link(request: HttpRequest, team: Team) -> tuple[str, str] | None:
    if not may_log(request.user, team):
        return None
    return "Log last week's hand-offs", reverse("performance:team_log", args=[team.pk])

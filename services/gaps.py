"""Accountability gaps: what stops a service from being led and answered for end to end."""

from collections.abc import Callable

from services.models import ProportionalityAssessment, Service, ServiceLeader, Stage

# Gaps the apps built on this one know of (decision rights nobody holds), for the services of
# some ids. The services app is at the bottom of the dependency chain and cannot import them:
# each app registers its source in its AppConfig.ready().
GapSource = Callable[[list[int]], dict[int, list[str]]]
_sources: list[GapSource] = []


def register(source: GapSource) -> GapSource:
    _sources.append(source)
    return source


def more_gaps(service_ids: list[int]) -> dict[int, list[str]]:
    """The registered sources' gaps for each of ``service_ids``."""
    found: dict[int, list[str]] = {service_id: [] for service_id in service_ids}
    for source in _sources:
        for service_id, gaps in source(service_ids).items():
            found[service_id].extend(gaps)
    return found


LEADERSHIP_TEAM_SIZE = range(2, 5)
# Models that give no hands-on leadership: where it is recommended, these are a gap.
NOT_HANDS_ON = (Service.LeadershipModel.NONE, Service.LeadershipModel.COUNCIL)


# Each gap of DESIGN.md is one independent check, listed in the order the page shows them.
def accountability_gaps(  # noqa: C901
    service: Service,
    *,
    stages: list[Stage],
    leaders: list[ServiceLeader],
    assessment: ProportionalityAssessment | None,
) -> list[str]:
    """Human-readable gaps for a service, from its already-loaded stages, leaders and assessment."""
    gaps: list[str] = []
    model = service.leadership_model
    Model = Service.LeadershipModel

    if not stages:
        gaps.append("No end-to-end journey: the service has no stages.")
    for stage in stages:
        if stage.team_id is None:
            gaps.append(f"Stage {stage.position} “{stage.name}” has no owning team.")
    if service.automated_decision_system and stages and not any(s.by_agent for s in stages):
        gaps.append(
            "It uses an automated decision system, but no stage of its journey says automation "
            "or an AI agent performs it."
        )

    if not leaders:
        gaps.append("No leader: nobody is named as leading this service.")
    if model == Model.COUNCIL:
        gaps.append(
            "Led by a council or working group: a transitional model at risk of becoming a "
            "talking shop; plan the move to a single leader or a leadership team."
        )
    if assessment is not None and assessment.hands_on_recommended and model in NOT_HANDS_ON:
        gaps.append(
            f"Hands-on leadership is recommended ({assessment.criteria_met} of 5 criteria hold) "
            f"but the leadership model is “{service.get_leadership_model_display()}”."
        )
    if model == Model.TEAM and len(leaders) not in LEADERSHIP_TEAM_SIZE:
        gaps.append(
            f"The leadership team has {len(leaders)} "
            f"{'person' if len(leaders) == 1 else 'people'}; it works as one with 2 to 4."
        )
    if model == Model.SINGLE and len(leaders) > 1:
        gaps.append(
            f"The model is a single leader but {len(leaders)} leaders are named: "
            "say who is accountable."
        )
    if assessment is None:
        gaps.append("No proportionality assessment: is hands-on leadership needed here?")
    return gaps

"""Automation and AI agents in the journey: the accountability gaps they open.

An agent may Perform a stage's decisions or give Input to them, never Decide (a database
constraint). A stage an autonomous AI agent performs needs a team that answers for the agent,
and a person, team, leadership team or named body holding the Decide right for each kind of
decision it takes: the kinds it holds the Perform right for.
"""

from collections import defaultdict

from decisions.models import DecisionRight, Role
from services.models import Stage


def _stage(stage: Stage) -> str:
    return f"Stage {stage.position} “{stage.name}”"


def _kind(right: DecisionRight) -> str:
    name = right.decision_type.name
    return f"{name} ({right.band})" if right.band_id else name


def agent_gaps(service_ids: list[int], stages: list[Stage] | None = None) -> dict[int, list[str]]:
    """The gaps autonomous AI agents open in each of these services, from their ``stages``
    where already read (three queries at most; none when no stage is autonomous)."""
    if stages is None:
        stages = list(Stage.objects.filter(service_id__in=service_ids).order_by("position"))
    stages = [stage for stage in stages if stage.autonomous]
    found: dict[int, list[str]] = {service_id: [] for service_id in service_ids}
    if not stages:
        return found
    performs = defaultdict(list)
    for right in (
        DecisionRight.objects.filter(stage__in=stages, role=Role.PERFORM)
        .select_related("decision_type", "band")
        .order_by("decision_type__name", "band__up_to", "pk")
    ):
        performs[right.stage_id].append(right)
    decided = set(
        DecisionRight.objects.filter(
            service_id__in={stage.service_id for stage in stages}, role=Role.DECIDE
        ).values_list("service_id", "decision_type_id", "band_id")
    )
    for stage in stages:
        gaps = found[stage.service_id]
        if stage.agent_team_id is None:
            gaps.append(
                f"{_stage(stage)} is performed by an autonomous AI agent with no team "
                "accountable for it."
            )
        if not performs[stage.pk]:
            gaps.append(
                f"{_stage(stage)} is performed by an autonomous AI agent, but no decision "
                "right says which decisions it takes (Perform) or who decides them."
            )
        undecided = [
            _kind(right)
            for right in performs[stage.pk]
            if (stage.service_id, right.decision_type_id, right.band_id) not in decided
        ]
        if undecided:
            gaps.append(
                f"{_stage(stage)}'s autonomous AI agent takes decisions nobody holds the Decide "
                f"right for: {', '.join(undecided)}. People must answer for them."
            )
    return found

"""The rights check: was a decision taken by whoever held the Decide right, within its band?

A decision is checked against the rights, leadership and team memberships as they stood at the
end of the day it was taken (read from the audit history), so changing rights later never
rewrites the verdict. The result is stored on the decision when it is logged or changed.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import dateformat, timezone

from decisions.models import Decision, DecisionBand, DecisionRight, HolderKind, Role
from servicelead.numbers import money
from services.models import ServiceLeader, TeamMembership


@dataclass(frozen=True)
class RightsCheck:
    within: bool | None  # None: not applicable (a proposal has not been decided yet)
    reason: str


def band_for(bands: list[DecisionBand], amount: Decimal) -> DecisionBand | None:
    """The band an amount falls in: the smallest limit at or above it, else the unlimited one."""
    limited = sorted((b for b in bands if b.up_to is not None), key=lambda b: b.up_to)
    for band in limited:
        if amount <= band.up_to:
            return band
    return next((b for b in bands if b.up_to is None), None)


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _kind(decision: Decision, band: DecisionBand | None) -> str:
    name = f"“{decision.decision_type.name}”"
    return f"{name} ({band})" if band else name


# One verdict per case of DESIGN.md's rights check, in the order it reads them: the table of
# cases is the rule, and split apart it would no longer read as one.
def rights_check(decision: Decision) -> RightsCheck:  # noqa: C901
    """Check one decision (with ``decision_type`` and ``decided_by`` loaded) against its rights."""
    if decision.status == Decision.Status.PROPOSED:
        return RightsCheck(None, "Proposed: not decided yet.")
    if not decision.decided_by_id and not decision.decided_by_body:
        return RightsCheck(False, "Nobody is recorded as having taken this decision.")

    band = None  # pragma: no mutate  (any false value reads as "no band" below)
    bands = list(decision.decision_type.bands.all())
    if bands:
        if decision.amount is None:
            return RightsCheck(
                False,
                f"“{decision.decision_type.name}” is limited by amount, but no amount is given.",
            )
        band = band_for(bands, decision.amount)
        if band is None:
            return RightsCheck(
                False,
                f"{money(decision.amount)} is above every band of “{decision.decision_type.name}”.",
            )

    at = end_of_day(decision.decided_on)
    on = dateformat.format(decision.decided_on, "j F Y")
    holder = (
        DecisionRight.history.as_of(at)
        .filter(
            service_id=decision.service_id,
            decision_type_id=decision.decision_type_id,
            band_id=band.pk if band else None,
            role=Role.DECIDE,
        )
        .first()
    )
    if holder is None:
        return RightsCheck(
            False, f"Nobody held the Decide right for {_kind(decision, band)} on {on}."
        )

    decider = decision.decided_by.name if decision.decided_by_id else decision.decided_by_body
    if holder.holder_kind == HolderKind.PERSON:
        held = decision.decided_by_id == holder.person_id
        # A defence only: a person's right must name its person (a database constraint).
        # pragma: no mutate start
        holder_name = holder.person.name if holder.person_id else "a person no longer recorded"
        # pragma: no mutate end
    elif holder.holder_kind == HolderKind.TEAM:
        held = bool(decision.decided_by_id) and (
            TeamMembership.history.as_of(at)
            .filter(team_id=holder.team_id, person_id=decision.decided_by_id)
            .exists()
        )
        # A defence only: a team's right must name its team (a database constraint).
        # pragma: no mutate start
        holder_name = f"the team {holder.team.name}" if holder.team_id else "a team"
        # pragma: no mutate end
    elif holder.holder_kind == HolderKind.LEADERSHIP:
        held = bool(decision.decided_by_id) and (
            ServiceLeader.history.as_of(at)
            .filter(service_id=decision.service_id, person_id=decision.decided_by_id)
            .exists()
        )
        holder_name = "the service's leadership team"
    else:
        held = decision.decided_by_body.strip().casefold() == holder.external_body.casefold()
        holder_name = holder.external_body

    if held:
        return RightsCheck(True, f"Decided by {decider}, within the Decide right of {holder_name}.")
    return RightsCheck(
        False,
        f"Decided by {decider}, but on {on} the Decide right for {_kind(decision, band)} "
        f"was held by {holder_name}.",
    )

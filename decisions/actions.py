"""Writes to decision types, rights and the decision log."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from decisions.access import can_change_decision
from decisions.models import (
    Decision,
    DecisionBand,
    DecisionRight,
    DecisionType,
    HolderKind,
    Role,
)
from decisions.rights import rights_check
from servicelead.conflicts import EditConflict, history_version, refuse_if_changed, who
from servicelead.history import attribute
from services import versions
from services.models import Person, Service, Stage, Team


def _decision_type(pk: int | None):
    return (
        DecisionType.history.filter(id=pk),
        DecisionBand.history.filter(decision_type_id=pk),
    )


def decision_type_version(decision_type: DecisionType) -> str:
    """The version of a decision type and its bands, for ``VersionForm``."""
    return history_version(*_decision_type(decision_type.pk)) if decision_type.pk else ""


@transaction.atomic
def decision_type_save(
    *,
    decision_type: DecisionType,
    user: AbstractBaseUser,
    limits: list[Decimal | None],
    version: str | None = None,
) -> DecisionType:
    """Save a decision type and make its bands exactly ``limits`` (None: no upper limit),
    unless somebody changed them after ``version`` (``decision_type_version``)."""
    if decision_type.pk:
        DecisionType.objects.select_for_update().filter(pk=decision_type.pk).first()
        refuse_if_changed(version, *_decision_type(decision_type.pk))
    versions.changed_all()  # every service's rights gaps may change
    decision_type.full_clean()
    attribute(user, decision_type)
    decision_type.save()
    current = {band.up_to: band for band in decision_type.bands.all()}
    for limit in limits:
        if limit not in current:
            band = DecisionBand(decision_type=decision_type, up_to=limit)
            band.full_clean()
            attribute(user, band)
            band.save()
    for limit, band in current.items():
        if limit not in limits:
            attribute(user, band)
            try:
                band.delete()
            except ProtectedError as error:
                raise ValidationError(
                    f"The band {band} is still used by decision rights; move those rights "
                    "to another band before removing it."
                ) from error
    return decision_type


@dataclass(frozen=True)
class Holder:
    kind: str
    person: Person | None = None
    team: Team | None = None
    external_body: str = ""
    stage: Stage | None = None


def _cell_latest(service: Service, decision_type: DecisionType, band, role: str):
    """The latest audit record touching one cell of the matrix, or None."""
    return (
        DecisionRight.history.filter(
            service_id=service.pk,
            decision_type_id=decision_type.pk,
            band_id=band.pk if band else None,
            role=role,
        )
        .select_related("history_user")
        .order_by("-history_id")
        .first()
    )


def rights_cell_token(service: Service, decision_type: DecisionType, band, role: str) -> str:
    """A version for one cell of the matrix: its latest audit record's id."""
    return _token(_cell_latest(service, decision_type, band, role))


def _token(latest) -> str:
    return str(latest.history_id) if latest else "0"


@transaction.atomic
def rights_cell_update(
    *,
    service: Service,
    user: AbstractBaseUser,
    decision_type: DecisionType,
    band: DecisionBand | None,
    role: str,
    remove: list[int],
    add: Holder | None,
    token: str,
) -> None:
    """Remove some holders of one RAPID role and add one; Decide keeps a single holder."""
    versions.changed([service.pk])
    Service.objects.select_for_update().filter(pk=service.pk).first()
    latest = _cell_latest(service, decision_type, band, role)
    if _token(latest) != token:
        if latest is None:  # its history was cleared since the page was opened
            raise EditConflict("", None)
        raise EditConflict(who(latest.history_user), latest.history_date)
    cell = DecisionRight.objects.filter(
        service=service, decision_type=decision_type, band=band, role=role
    )
    doomed = list(cell.filter(pk__in=remove))
    if add is not None and role == Role.DECIDE:
        doomed = list(cell)  # the new decider replaces the old
    for right in doomed:
        attribute(user, right)
        right.delete()
    if add is None:
        return
    duplicate = cell.filter(
        holder_kind=add.kind,
        person=add.person,
        team=add.team,
        external_body=add.external_body,
        stage=add.stage,
    ).exists()
    if duplicate:
        return
    right = DecisionRight(
        service=service,
        decision_type=decision_type,
        band=band,
        role=role,
        holder_kind=add.kind,
        person=add.person if add.kind == HolderKind.PERSON else None,
        team=add.team if add.kind == HolderKind.TEAM else None,
        external_body=add.external_body if add.kind == HolderKind.EXTERNAL else "",
        stage=add.stage if add.kind == HolderKind.AGENT else None,
        updated_by=user,
    )
    right.full_clean(validate_constraints=False)
    attribute(user, right)
    right.save()


def _check_and_save(decision: Decision, user: AbstractBaseUser) -> None:
    versions.changed([decision.service_id])
    check = rights_check(decision)
    decision.within_rights, decision.rights_reason = check.within, check.reason
    decision.updated_by = user
    attribute(user, decision)
    decision.save()


def _supersede(decision: Decision, user: AbstractBaseUser) -> None:
    """A decided decision that another now supersedes is marked superseded, if the user may
    change it: superseding a decision changes it."""
    previous = decision.supersedes
    if (
        previous is not None
        and decision.status == Decision.Status.DECIDED
        and previous.status == Decision.Status.DECIDED
    ):
        if user is not None and not can_change_decision(user, previous):  # None: the system
            raise ValidationError(
                f"You may not change “{previous.title}”, so you cannot supersede it: ask a "
                "leader of the service, or whoever logged it."
            )
        previous.status = Decision.Status.SUPERSEDED
        previous.version += 1
        previous.updated_by = user
        attribute(user, previous)
        previous.save()


def _restore(previous_id: int, decision: Decision, user: AbstractBaseUser) -> None:
    """``decision`` no longer supersedes the decision ``previous_id`` (it was revoked, or
    names another): that one is decided again, unless another decision still supersedes it."""
    previous = Decision.objects.select_for_update().get(pk=previous_id)
    still = Decision.objects.filter(supersedes=previous, status=Decision.Status.DECIDED)
    if previous.status == Decision.Status.SUPERSEDED and not still.exclude(pk=decision.pk).exists():
        previous.status = Decision.Status.DECIDED
        previous.version += 1
        previous.updated_by = user
        attribute(user, previous)
        previous.save()


@transaction.atomic
def decision_log(
    *,
    service: Service,
    user: AbstractBaseUser,
    fields: dict,
    stages: list[Stage] = (),
    teams: list[Team] = (),
) -> Decision:
    """Log a decision, check it against the service's rights at the time, and keep the check."""
    decision = Decision(service=service, logged_by=user, **fields)
    decision.full_clean()
    _check_and_save(decision, user)
    decision.affected_stages.set(stages)
    decision.affected_teams.set(teams)
    _supersede(decision, user)
    return decision


@transaction.atomic
def decision_update(
    *,
    decision: Decision,
    user: AbstractBaseUser,
    fields: dict,
    version: int,
    stages: list[Stage] = (),
    teams: list[Team] = (),
) -> Decision:
    """Change a decision unless someone else changed it since ``version``; re-check its rights."""
    current = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .get(pk=decision.pk)
    )
    if current.version != version:
        raise EditConflict(who(current.updated_by), current.updated_at)
    superseded = current.supersedes_id if current.status == Decision.Status.DECIDED else None
    for name, value in fields.items():
        setattr(current, name, value)
    current.version += 1
    current.full_clean()
    _check_and_save(current, user)
    current.affected_stages.set(stages)
    current.affected_teams.set(teams)
    _resupersede(current, user, superseded)
    return current


def _resupersede(decision: Decision, user: AbstractBaseUser, superseded: int | None) -> None:
    """After a change: the decision it superseded while decided (``superseded``) is restored
    if it no longer does, and the one it now supersedes is marked."""
    if superseded and (
        decision.supersedes_id != superseded or decision.status != Decision.Status.DECIDED
    ):
        _restore(superseded, decision, user)
    _supersede(decision, user)


@transaction.atomic
def decision_admin_save(*, decision: Decision, user: AbstractBaseUser, adding: bool) -> None:
    """A decision saved in the Django admin takes the log's own steps: its rights checked as
    they stood, its service's figures marked changed, supersession marked or undone."""
    superseded = None
    if adding:
        decision.logged_by = user
    else:
        before = Decision.objects.select_for_update().get(pk=decision.pk)
        superseded = before.supersedes_id if before.status == Decision.Status.DECIDED else None
        decision.version = before.version + 1
        if before.service_id != decision.service_id:
            versions.changed([before.service_id])
    _check_and_save(decision, user)
    _resupersede(decision, user, superseded)


def deletable(decision: Decision) -> bool:
    """Neither superseded by another decision nor, while decided, superseding one."""
    try:
        _check_deletable(decision)
    except ValidationError:
        return False
    return True


@transaction.atomic
def decision_delete(*, decision: Decision, user: AbstractBaseUser) -> None:
    _check_deletable(decision)
    versions.changed([decision.service_id])
    attribute(user, decision)
    decision.delete()


def _check_deletable(decision: Decision) -> None:
    if decision.superseded_by.exists():
        raise ValidationError(
            "Another decision supersedes this one; change or delete that decision first."
        )
    previous = decision.supersedes
    if (
        decision.status == Decision.Status.DECIDED
        and previous is not None
        and previous.status == Decision.Status.SUPERSEDED
    ):
        raise ValidationError(
            f"This decision supersedes “{previous.title}”, so deleting it would leave that one "
            "superseded by nothing. Revoke it instead: “"
            f"{previous.title}” is then decided again."
        )

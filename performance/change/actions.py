"""Writes of change initiatives and what-if scenarios."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from performance.models import (
    ChangeInitiative,
    Scenario,
)
from servicelead.conflicts import lock_unchanged
from servicelead.history import attribute
from services import versions
from services.models import Stage, Team


@transaction.atomic
def change_save(
    *,
    initiative: ChangeInitiative,
    user: AbstractBaseUser | None,
    stages: list[Stage],
    teams: list[Team],
    loaded_at: str | None = None,
) -> ChangeInitiative:
    """Start or change an initiative, unless somebody saved it after ``loaded_at``."""
    lock_unchanged(initiative, loaded_at)
    initiative.full_clean()
    attribute(user, initiative)
    initiative.save()
    initiative.affected_stages.set(stages)
    initiative.delivering_teams.set(teams)
    versions.changed([initiative.service_id])
    return initiative


@transaction.atomic
def scenario_save(*, scenario: Scenario, user: AbstractBaseUser | None) -> Scenario:
    """Keep a scenario with what it predicts now."""
    if scenario.pk is None:
        scenario.created_by = user
    scenario.full_clean()
    attribute(user, scenario)
    scenario.save()
    return scenario


@transaction.atomic
def scenario_delete(*, scenario: Scenario, user: AbstractBaseUser | None) -> None:
    attribute(user, scenario)
    scenario.delete()

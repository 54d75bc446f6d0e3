"""The performance app's models, by subject; all in the ``performance`` app label, so no table
moved when they were split into modules."""

from performance.models.background import OutboxTask, ReminderSent
from performance.models.base import NOT_NEGATIVE, Period, period_constraint
from performance.models.change import ChangeInitiative, Scenario
from performance.models.figures import (
    Channel,
    CostLine,
    DataExtent,
    DataQualityFinding,
    Measurement,
    Metric,
    ReviewNarrative,
    Rollup,
)
from performance.models.flow import (
    SHARE,
    CapacityLog,
    Handoff,
    HandoffLog,
    StageLog,
    TeamInteraction,
)
from performance.models.friction import FrictionPoint
from performance.models.imports import ApiToken, ImportRun
from performance.models.leadership import Campaign, MaturityRecord

__all__ = [
    "Period",
    "NOT_NEGATIVE",
    "period_constraint",
    "Handoff",
    "HandoffLog",
    "StageLog",
    "CapacityLog",
    "TeamInteraction",
    "SHARE",
    "FrictionPoint",
    "ChangeInitiative",
    "Scenario",
    "Metric",
    "Measurement",
    "CostLine",
    "ReviewNarrative",
    "DataQualityFinding",
    "Rollup",
    "DataExtent",
    "Channel",
    "ImportRun",
    "ApiToken",
    "OutboxTask",
    "ReminderSent",
    "MaturityRecord",
    "Campaign",
]

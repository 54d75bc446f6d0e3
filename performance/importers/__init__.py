"""The CSV importers of CONTRACTS.md section 2, one module per kind."""

from performance.importers.base import CsvKind, ImportRejected, Outcome, RowError, run_import
from performance.importers.catalogue import ServicesKind
from performance.importers.costs import CostsKind
from performance.importers.handoffs import HandoffsKind
from performance.importers.measurements import MeasurementsKind
from performance.importers.org import OrgKind
from performance.importers.stage_logs import StageLogsKind
from performance.importers.stages import StagesKind

KINDS: dict[str, type[CsvKind]] = {
    kind.name: kind
    for kind in [
        OrgKind,
        ServicesKind,
        StagesKind,
        StageLogsKind,
        HandoffsKind,
        MeasurementsKind,
        CostsKind,
    ]
}

__all__ = ["KINDS", "CsvKind", "ImportRejected", "Outcome", "RowError", "run_import"]

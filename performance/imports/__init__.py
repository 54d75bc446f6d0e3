"""The imports: the CSV importers of CONTRACTS.md section 2 (one module per kind), the GC
inventory import, the runs that carry them out and their pages."""

from performance.imports.base import CsvKind, ImportRejected, Outcome, RowError, run_import
from performance.imports.catalogue import ServicesKind
from performance.imports.costs import CostsKind
from performance.imports.handoffs import HandoffsKind
from performance.imports.measurements import MeasurementsKind
from performance.imports.org import OrgKind
from performance.imports.stage_logs import StageLogsKind
from performance.imports.stages import StagesKind

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

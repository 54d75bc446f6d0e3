"""Writes of imported rows (measurements, period rows), data-quality findings and API tokens."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from performance.models import (
    ApiToken,
    DataQualityFinding,
    Measurement,
    Metric,
)
from servicelead.bulk import copy_rows
from servicelead.history import attribute
from services import versions
from services.models import Service


@transaction.atomic
def rows_copy(model, fields: tuple[str, ...], rows: list[tuple]) -> int:
    """Append many period rows (measurements; the generated portfolio's logs and costs) as
    fast as the database allows, with no history entry each: the import run they name is
    their record. ``fields`` starts with the row's service or the record it belongs to (a
    metric, stage or hand-off). Returns how many."""
    if not rows:
        return 0
    owner = model._meta.get_field(fields[0].removesuffix("_id")).related_model
    ids = {row[0] for row in rows}
    if owner is not Service:
        ids = set(owner.objects.filter(pk__in=ids).values_list("service_id", flat=True))
    count = copy_rows(model, fields, rows)
    versions.changed(ids)
    return count


MEASUREMENT_COLUMNS = (  # a new measurement's columns, in the order ``rows_copy`` takes them
    "metric_id",
    "period_start",
    "period_end",
    "channel",
    "value",
    "import_run_id",
    "recorded_by_id",
    "updated_at",
)


@transaction.atomic
def measurements_write(new: list[tuple], changed: list[Measurement]) -> None:
    """Add ``new`` measurements (rows of ``MEASUREMENT_COLUMNS``) and save the value of
    ``changed`` ones. Measurements are many: each records the import run and user that last
    set it instead of a history entry of its own (the run is the audit record). Each changed
    one names its ``metric_id``."""
    rows_copy(Measurement, MEASUREMENT_COLUMNS, new)
    if changed:
        fields = ["value", "import_run", "recorded_by", "updated_at"]
        Measurement.objects.bulk_update(changed, fields, batch_size=2000)
        # By their metrics (a few), not their ids (as many as the file's rows).
        measured = Metric.objects.filter(pk__in={m.metric_id for m in changed})
        versions.changed(set(measured.values_list("service_id", flat=True)))


def token_hash(key: str) -> str:
    """Tokens are long and random, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown once, never stored


@transaction.atomic
def api_token_issue(
    *, service: Service | None, name: str, user: AbstractBaseUser | None
) -> IssuedToken:
    key = f"sl_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        service=service, name=name, prefix=key[:10], key_hash=token_hash(key), created_by=user
    )
    token.full_clean()
    attribute(user, token)
    token.save()
    return IssuedToken(token, key)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user: AbstractBaseUser | None) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        attribute(user, token)
        token.save()


@dataclass(frozen=True)
class Finding:
    """A data-quality finding an import wants on record (see ``DataQualityFinding``)."""

    service_id: int
    kind: str
    subject: str
    message: str
    location: str = ""
    period: tuple[date, date] | None = None
    metric_key: str = ""  # the service's measure it questions, if one


@transaction.atomic
def findings_record(
    *,
    source: str,
    findings: list[Finding],
    service_ids,
    subjects: set[str] | None = None,
    run=None,
) -> dict[str, int]:
    """Replace ``source``'s findings about these services (only those about ``subjects``, when
    given: what an import touched) with ``findings``; unchanged ones are kept as they are.
    Returns created / updated / unchanged / removed counts."""
    existing = DataQualityFinding.objects.filter(source=source, service_id__in=list(service_ids))
    if subjects is not None:
        existing = existing.filter(subject__in=subjects)
    current = {(f.service_id, f.kind, f.subject): f for f in existing}
    wanted = {(f.service_id, f.kind, f.subject): f for f in findings}
    metric_ids = {
        (service_id, key): pk
        for pk, service_id, key in Metric.objects.filter(
            service_id__in={f.service_id for f in findings if f.metric_key},
            key__in={f.metric_key for f in findings if f.metric_key},
        ).values_list("pk", "service_id", "key")
    }
    counts = {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
    create, update = [], []
    for key, finding in wanted.items():
        start, end = finding.period or (None, None)
        values = {
            "message": finding.message,
            "location": finding.location[:200],
            "period_start": start,
            "period_end": end,
            "metric_id": metric_ids.get((finding.service_id, finding.metric_key)),
        }
        found = current.get(key)
        if found is None:
            create.append(
                DataQualityFinding(
                    service_id=finding.service_id,
                    source=source,
                    kind=finding.kind,
                    subject=finding.subject[:200],
                    import_run=run,
                    **values,
                )
            )
            counts["created"] += 1
        elif all(getattr(found, k) == v for k, v in values.items()):
            counts["unchanged"] += 1
        else:
            for name, value in values.items():
                setattr(found, name, value)
            found.import_run = run
            update.append(found)
            counts["updated"] += 1
    gone = [f.pk for key, f in current.items() if key not in wanted]
    DataQualityFinding.objects.filter(pk__in=gone).delete()
    counts["removed"] = len(gone)
    DataQualityFinding.objects.bulk_create(create, batch_size=1000)
    DataQualityFinding.objects.bulk_update(
        update,
        ["message", "location", "period_start", "period_end", "metric", "import_run"],
        batch_size=1000,
    )
    gone_from = {f.service_id for key, f in current.items() if key not in wanted}
    versions.changed({f.service_id for f in [*create, *update]} | gone_from)
    return counts

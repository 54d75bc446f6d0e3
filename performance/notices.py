"""Email that tells leaders what needs their attention: daily reminders and a weekly digest.

Each reminder is recorded when sent (ReminderSent), so a task that runs twice in a day sends
nothing twice. People turn the digest off on their profile page.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from decisions.models import Decision
from performance.dashboard import kpi_tiles
from performance.models import FrictionPoint, Measurement, ReminderSent
from performance.rollups import cached_summary
from performance.windows import presets
from services.models import ServiceLeader

# How long friction may stay open, by severity, before its service's leaders are reminded.
FRICTION_LIMITS = {"high": 14, "medium": 30, "low": 90}
STALE_AFTER_DAYS = 62


def _leaders_by_service(service_ids) -> dict[int, list]:
    leaders = defaultdict(list)
    for leader in ServiceLeader.objects.filter(
        service_id__in=service_ids, person__user__isnull=False
    ).select_related("person__user", "service"):
        if leader.person.user.email or leader.person.email:
            leaders[leader.service_id].append(leader)
    return leaders


def _once(kind: str, key: str) -> bool:
    """Record that this reminder goes out today; False if it already has."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(kind=kind, key=key, sent_on=timezone.localdate())
    except IntegrityError:
        return False
    return True


def _send(to: list[str], subject: str, template: str, context: dict) -> None:
    context = {**context, "site_url": settings.SITE_URL}
    text = render_to_string(f"performance/email/{template}.txt", context)
    html = render_to_string(f"performance/email/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    message.send()


def _address(leader) -> str:
    return leader.person.user.email or leader.person.email


def send_reminders() -> int:
    """Reviews whose date has come, friction open past its severity's limit, stale data."""
    today = timezone.localdate()
    items: dict[int, list[str]] = defaultdict(list)
    for decision in Decision.objects.filter(
        status=Decision.Status.DECIDED, review_by__lte=today
    ).select_related("service"):
        if _once("review", f"{decision.pk}"):
            items[decision.service_id].append(
                f"The decision “{decision.title}” was due for review on {decision.review_by}."
            )
    for point in FrictionPoint.objects.exclude(status=FrictionPoint.Status.RESOLVED):
        limit = FRICTION_LIMITS.get(point.severity, 90)
        if (today - point.raised_on).days > limit and _once("friction", f"{point.pk}"):
            items[point.service_id].append(
                f"{point.get_severity_display()} friction “{point.title}” has been open since "
                f"{point.raised_on}, more than {limit} days."
            )
    latest = dict(
        Measurement.objects.values_list("metric__service_id").annotate(last=Max("period_end"))
    )
    for service_id, last in latest.items():
        if (today - last).days > STALE_AFTER_DAYS and _once("stale", f"{service_id}"):
            items[service_id].append(f"Nothing has been measured since {last}.")
    sent = 0
    leaders = _leaders_by_service(items)
    for service_id, lines in items.items():
        for leader in leaders.get(service_id, []):
            _send(
                [_address(leader)],
                f"{leader.service.name}: needs your attention",
                "reminder",
                {"leader": leader, "service": leader.service, "items": lines},
            )
            sent += 1
    return sent


def send_weekly_digests() -> int:
    """One email a week to each leader who wants it, about each service they lead."""
    today = timezone.localdate()
    week_ago = today - timedelta(days=7)
    sent = 0
    by_person = defaultdict(list)
    for leader in ServiceLeader.objects.filter(
        person__user__isnull=False, person__wants_digest=True
    ).select_related("person__user", "service"):
        by_person[leader.person_id].append(leader)
    for leaders in by_person.values():
        person = leaders[0].person
        if not (person.user.email or person.email):
            continue
        if not _once("digest", f"{person.pk}:{today.isocalendar()[:2]}"):
            continue
        services = []
        month = presets(today)["month"][1]
        for leader in leaders:
            service = leader.service
            now, before = cached_summary(service, month), cached_summary(service, month.previous())
            earlier = cached_summary(service, month.previous().previous())
            changed = [
                (tile.name, old.status_label, tile.status_label)
                for tile, old in zip(
                    kpi_tiles(now, before), kpi_tiles(before, earlier), strict=True
                )
                if tile.status != old.status
            ]
            services.append(
                {
                    "service": service,
                    "kpis_changed": changed,
                    "new_friction": list(
                        FrictionPoint.objects.filter(
                            service=service, raised_on__gt=week_ago
                        ).order_by("-raised_on")
                    ),
                    "outside_rights": list(
                        Decision.objects.filter(
                            service=service, within_rights=False, logged_at__date__gt=week_ago
                        )
                    ),
                    "reviews_due": list(
                        Decision.objects.filter(
                            service=service,
                            status=Decision.Status.DECIDED,
                            review_by__lte=today + timedelta(days=30),
                        ).order_by("review_by")
                    ),
                }
            )
        _send(
            [person.user.email or person.email],
            "Your services this week",
            "digest",
            {"person": person, "services": services, "week_start": week_ago},
        )
        sent += 1
    return sent

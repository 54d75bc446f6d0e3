"""Email that tells leaders what needs their attention: daily reminders and a weekly digest.

Each reminder is recorded when sent (ReminderSent), so a task that runs twice in a day sends
nothing twice. People turn the digest off on their profile page.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.utils import dateformat, timezone

from decisions.models import Decision
from decisions.queries import REVIEW_WINDOW_DAYS, reviews_due
from performance.figures.dashboard import kpi_tiles
from performance.figures.metrics import is_stale
from performance.figures.summary_cache import cached_summary
from performance.friction.shared_problems import shared_problems, touching
from performance.leadership.campaigns import failing
from performance.leadership.drift import drift_events
from performance.leadership.maturity import check_name
from performance.models import Campaign, FrictionPoint, Measurement, ReminderSent
from performance.windows import presets
from servicelead.text import one_line
from services.models import ServiceLeader
from services.queries import visible_services

log = logging.getLogger(__name__)

# How long friction may stay open, by severity, before its service's leaders are reminded.
FRICTION_LIMITS = {"high": 14, "medium": 30, "low": 90}


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
    text = render_to_string(f"performance/mail/{template}.txt", context)
    html = render_to_string(f"performance/mail/{template}.html", context)
    # A name saved before names were kept to one line must not make the header invalid.
    message = EmailMultiAlternatives(one_line(subject), text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    message.send()


def _deliver(to: str, what: str, marks: list[tuple[str, str]], send) -> bool:
    """Send one email and record it as sent (``marks``: its reminders' kinds and keys) in one
    transaction: recorded only once it has gone, so a failure leaves it to the next run, and a
    run at the same time waits on the records and sends nothing twice. A failure is logged and
    does not stop the other emails. True when sent."""
    try:
        with transaction.atomic():
            if not all(_once(kind, key) for kind, key in marks):
                transaction.set_rollback(True)  # another run has sent it
                return False
            send()
    except Exception:
        log.exception("Could not send %s to %s; it will be tried again on the next run", what, to)
        return False
    return True


def _address(leader) -> str:
    return leader.person.user.email or leader.person.email


# Four kinds of reminder gathered into one email a day per leader: the kinds are listed
# together so the email and its once-a-day record stay one transaction's work.
def send_reminders() -> int:  # noqa: C901
    """Reviews whose date has come, friction open past its severity's limit, stale data, and
    (once a week) campaigns a service does not pass yet: one email a day to each leader of a
    service with any, naming those not yet sent to them."""
    today = timezone.localdate()
    items: dict[int, list[tuple[str, str, str]]] = defaultdict(list)  # kind, key, line
    for decision in Decision.objects.filter(
        status=Decision.Status.DECIDED, review_by__lte=today
    ).select_related("service"):
        items[decision.service_id].append(
            (
                "review",
                f"{decision.pk}",
                f"The decision “{decision.title}” was due for review on {decision.review_by}.",
            )
        )
    for point in FrictionPoint.objects.exclude(status=FrictionPoint.Status.RESOLVED):
        limit = FRICTION_LIMITS.get(point.severity, 90)
        if (today - point.raised_on).days > limit:
            items[point.service_id].append(
                (
                    "friction",
                    f"{point.pk}",
                    f"{point.get_severity_display()} friction “{point.title}” has been open "
                    f"since {point.raised_on}, more than {limit} days.",
                )
            )
    latest = dict(
        Measurement.objects.values_list("metric__service_id").annotate(last=Max("period_end"))
    )
    for service_id, last in latest.items():
        if is_stale(last, today):
            items[service_id].append(
                ("stale", f"{service_id}", f"Nothing has been measured since {last}.")
            )
    campaigns = list(Campaign.objects.filter(launched_on__lte=today, target_date__gte=today))
    not_passing = failing(campaigns)
    for campaign in campaigns:
        for service_id in not_passing[campaign.pk]:
            items[service_id].append(
                (
                    "campaign",
                    f"{campaign.pk}-{service_id}",
                    f"The campaign “{campaign.name}” asks for “{check_name(campaign.check_key)}” "
                    f"by {dateformat.format(campaign.target_date, 'j F Y')}, and this service "
                    "does not pass it yet.",
                )
            )
    # A campaign's reminder goes once a week; the others once a day.
    already = set(
        ReminderSent.objects.filter(
            Q(sent_on=today, kind__in=["review", "friction", "stale"])
            | Q(sent_on__gt=today - timedelta(days=7), kind="campaign")
        ).values_list("kind", "key")
    )
    sent = 0
    leaders = _leaders_by_service(items)
    for service_id, found in items.items():
        for leader in leaders.get(service_id, []):
            # Each reminder is recorded per person, so one who missed it is not skipped.
            due = [
                (kind, f"{key}:{leader.person_id}", line)
                for kind, key, line in found
                if (kind, f"{key}:{leader.person_id}") not in already
            ]
            if not due:
                continue
            address = _address(leader)
            sent += _deliver(
                address,
                "a reminder",
                [(kind, key) for kind, key, _ in due],
                lambda leader=leader, address=address, due=due: _send(
                    [address],
                    f"{leader.service.name}: needs your attention",
                    "reminder",
                    {
                        "leader": leader,
                        "service": leader.service,
                        "items": [line for _, _, line in due],
                    },
                ),
            )
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
        address = person.user.email or person.email
        if not address:
            continue
        week = f"{person.pk}:{today.isocalendar()[:2]}"
        if ReminderSent.objects.filter(kind="digest", key=week).exists():
            continue
        services = []
        month = presets(today)["month"][1]
        shared = shared_problems(visible_services(person.user))  # as they may see them
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
                    "reviews_due": list(reviews_due([service], today)),
                    "drift": [e for e in drift_events([service], today) if e.on > week_ago],
                    "shared": touching(shared, service),
                }
            )
        sent += _deliver(
            address,
            "the weekly digest",
            [("digest", week)],
            lambda address=address, person=person, services=services: _send(
                [address],
                "Your services this week",
                "digest",
                {
                    "person": person,
                    "services": services,
                    "week_start": week_ago,
                    "review_window_days": REVIEW_WINDOW_DAYS,
                },
            ),
        )
    return sent

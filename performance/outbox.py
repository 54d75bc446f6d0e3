"""Handing work to the background, without ever losing it or hanging a request.

``enqueue`` sends a task once the current transaction commits. If the broker cannot take it
(within a second), the task is written to the outbox table instead, and ``drain_outbox``
(every minute, or ``manage.py drain_outbox``) sends it when the broker is back. Without a
broker configured, tasks run in the web process (Celery's eager mode).
"""

import logging

from django.db import transaction
from django.utils import timezone

from performance.models import OutboxTask
from servicelead.celery import app

log = logging.getLogger(__name__)


def _send(task: str, kwargs: dict) -> None:
    if app.conf.task_always_eager:  # no broker configured: run it here and now
        app.tasks[task].apply(kwargs=kwargs, throw=True)
    else:
        app.send_task(task, kwargs=kwargs, retry=False)


def send_now(task: str, kwargs: dict) -> bool:
    """Send one task; keep it in the outbox if that fails. True when sent."""
    try:
        _send(task, kwargs)
        return True
    except Exception as error:  # the broker is down or slow: keep the work, say why
        log.warning("Could not send %s; kept in the outbox: %s", task, error)
        OutboxTask.objects.create(
            task=task, kwargs=kwargs, attempts=1, last_error=str(error)[:2000]
        )
        return False


def enqueue(task: str, **kwargs) -> None:
    """Send ``task`` with ``kwargs`` after the current transaction commits."""
    transaction.on_commit(lambda: send_now(task, kwargs))


def drain(limit: int = 500) -> tuple[int, int]:
    """Send what the outbox holds, oldest first. Returns (sent, still waiting)."""
    sent = 0
    for item in OutboxTask.objects.filter(sent_at__isnull=True)[:limit]:
        try:
            _send(item.task, item.kwargs)
        except Exception as error:
            item.attempts += 1
            item.last_error = str(error)[:2000]
            item.save(update_fields=["attempts", "last_error"])
            break  # the broker is still away: try again next time
        item.sent_at = timezone.now()
        item.save(update_fields=["sent_at"])
        sent += 1
    return sent, OutboxTask.objects.filter(sent_at__isnull=True).count()

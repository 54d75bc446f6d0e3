"""Background work: fresh roll-ups after writes, the outbox when the broker is away, a cache
that is down, reminders and digests sent once, and a real worker when Redis is configured."""

import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from api.v1 import summary_json
from performance import outbox
from performance.figures import rollups, summary_cache
from performance.figures.metrics import summaries
from performance.flow.actions import handoff_log_record, handoffs_make
from performance.mail import send_reminders, send_weekly_digests
from performance.models import ImportRun, OutboxTask
from performance.windows import Window
from servicelead.calendar import week_of
from servicelead.celery import app
from services.actions import service_access_sync
from services.models import Service, Stage
from tests.factories import (
    DecisionFactory,
    FrictionPointFactory,
    ImportRunFactory,
    PersonFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    StageFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CLOSED_PORT = "redis://127.0.0.1:6399/0"  # nothing listens here


@pytest.fixture
def journey():
    service = ServiceFactory(slug="grants")
    a = StageFactory(service=service, position=1)
    b = StageFactory(service=service, position=2)
    return service, handoffs_make({service.pk: [a, b]})[(a.pk, b.pk)]


def log(handoff, handed: int) -> None:
    start = week_of(timezone.localdate())[0] - timedelta(weeks=5)
    handoff_log_record(
        handoff=handoff,
        user=None,
        period_start=start,
        period_end=start + timedelta(days=6),
        handed_over=handed,
        returned=0,
        median_wait_hours=Decimal(5),
    )


def test_a_write_makes_the_next_roll_up_fresh(journey, django_capture_on_commit_callbacks):
    service, handoff = journey
    window = Window(date(2000, 1, 1), date(2100, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        log(handoff, 10)
    assert summary_cache.cached_summary(service, window).flow.handoffs[0].handed_over == 10
    with django_capture_on_commit_callbacks(execute=True):
        log(handoff, 25)
    assert summary_cache.cached_summary(service, window).flow.handoffs[0].handed_over == 25


def test_roll_ups_match_a_from_scratch_computation(journey, django_capture_on_commit_callbacks):
    service, handoff = journey
    with django_capture_on_commit_callbacks(execute=True):
        log(handoff, 40)
    window = Window(date(2000, 1, 1), date(2100, 1, 1))
    rollups.refresh([service.pk])
    cached = summary_cache.cached_summary(service, window)
    assert summary_json(cached) == summary_json(summaries([service], window)[service.pk])


@pytest.fixture
def broker_down():
    """Celery pointed at a port nothing listens on, as when Redis is down."""
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        saved = (app.conf.broker_url, app.conf.broker_write_url)
        app.conf.broker_url = app.conf.broker_write_url = CLOSED_PORT
        app._pool, app.amqp._producer_pool = None, None  # connect afresh, to the closed port
        yield
        app.conf.broker_url, app.conf.broker_write_url = saved
        app._pool, app.amqp._producer_pool = None, None


def test_with_the_broker_down_a_save_succeeds_and_the_work_waits(
    journey, broker_down, django_capture_on_commit_callbacks
):
    service, handoff = journey
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        log(handoff, 10)
    elapsed = time.monotonic() - started
    waiting = OutboxTask.objects.get()
    assert waiting.task == "performance.tasks.refresh_service_summaries"
    assert waiting.kwargs == {"service_ids": [service.pk]}
    assert waiting.sent_at is None and waiting.last_error
    print(f"failed over in {elapsed:.2f} s")


def test_the_outbox_is_sent_when_the_broker_is_back(journey, broker_down):
    service, _ = journey
    outbox.send_now("performance.tasks.refresh_service_summaries", {"service_ids": [service.pk]})
    assert outbox.drain() == (0, 1)  # still down: kept, attempts counted
    assert OutboxTask.objects.get().attempts == 2
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):  # back (run here, as without Redis)
        assert outbox.drain() == (1, 0)
    assert OutboxTask.objects.get().sent_at is not None


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6399/1",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
)
def test_pages_still_render_when_the_cache_is_down(client, journey):
    service, _ = journey
    user = UserFactory()
    ServiceLeaderFactory(service=service, person=PersonFactory(user=user))
    service_access_sync()
    client.force_login(user)
    assert client.get(reverse("performance:dashboard", args=["grants"])).status_code == 200
    assert client.get(reverse("performance:portfolio")).status_code == 200


def test_a_cache_that_hangs_is_asked_once_then_left_alone(client, journey):
    import socket

    from django.core.cache import cache
    from django.core.cache.backends.redis import RedisCache

    from servicelead import cache as breaker

    hanging = socket.socket()  # accepts connections, never answers
    hanging.bind(("127.0.0.1", 0))
    hanging.listen(16)
    location = f"redis://127.0.0.1:{hanging.getsockname()[1]}/1"
    settings = {
        "BACKEND": "servicelead.cache.CircuitBreakingRedisCache",
        "LOCATION": location,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    try:
        with override_settings(CACHES={"default": settings}):
            service, _ = journey
            user = UserFactory()
            ServiceLeaderFactory(service=service, person=PersonFactory(user=user))
            service_access_sync()
            client.force_login(user)
            real = RedisCache.get_many
            with patch.object(RedisCache, "get_many", autospec=True, side_effect=real) as asked:
                page = client.get(reverse("performance:dashboard", args=["grants"]))
                assert page.status_code == 200
                assert asked.call_count == 1  # then the breaker opened: not asked again
                with pytest.raises(breaker.CacheUnavailable):
                    cache.get_many(["anything"])
                assert asked.call_count == 1
    finally:
        breaker._open_until.pop(location, None)
        hanging.close()


def test_htmx_varying_pages_say_so(colleague_client):
    response = colleague_client.get(
        reverse("performance:portfolio"), headers={"HX-Request": "true"}
    )
    assert "HX-Request" in response["Vary"]


# --- Reminders and digests --------------------------------------------------------------------


@pytest.fixture
def led_service():
    service = ServiceFactory(name="Grants")
    user = UserFactory(email="priya@example.org")
    ServiceLeaderFactory(service=service, person=PersonFactory(user=user, name="Priya Shah"))
    return service, user


def test_reminders_go_once(led_service):
    service, _ = led_service
    DecisionFactory(
        service=service,
        title="Fund assessors",
        review_by=timezone.localdate(),
        decided_on=timezone.localdate() - timedelta(days=100),
    )
    FrictionPointFactory(
        service=service,
        title="Queue unseen",
        category="handoff",
        severity="high",
        raised_on=timezone.localdate() - timedelta(days=20),
    )
    assert send_reminders() == 1
    [message] = mail.outbox
    assert message.to == ["priya@example.org"]
    assert "Fund assessors" in message.body and "Queue unseen" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert send_reminders() == 0  # the task ran twice: nothing sent twice
    assert len(mail.outbox) == 1


def _due_for_review(service, title):
    DecisionFactory(
        service=service,
        title=title,
        review_by=timezone.localdate(),
        decided_on=timezone.localdate() - timedelta(days=100),
    )


def test_a_reminder_that_fails_to_send_is_not_marked_sent_nor_stops_the_others(led_service, caplog):
    from unittest.mock import patch

    from django.core.mail.backends.locmem import EmailBackend

    service, _ = led_service
    _due_for_review(service, "Fund assessors")
    other = ServiceFactory(name="Licences")
    ServiceLeaderFactory(
        service=other, person=PersonFactory(user=UserFactory(email="grace@example.org"))
    )
    _due_for_review(other, "Close the counter")
    real_send = EmailBackend.send_messages

    def refuse_priya(backend, messages):
        if messages[0].to == ["priya@example.org"]:
            raise ConnectionRefusedError("mail server said no")
        return real_send(backend, messages)

    with patch.object(EmailBackend, "send_messages", refuse_priya):
        assert send_reminders() == 1
    assert [m.to for m in mail.outbox] == [["grace@example.org"]]
    assert "mail server said no" in caplog.text
    assert send_reminders() == 1  # the failed one goes on the next run; grace's not again
    assert [m.to for m in mail.outbox] == [["grace@example.org"], ["priya@example.org"]]
    assert "Fund assessors" in mail.outbox[1].body


def test_a_name_saved_with_a_line_break_still_gets_its_reminder_on_one_line(led_service):
    service, _ = led_service
    Service.objects.filter(pk=service.pk).update(name="Grants\nand loans")  # an old name
    _due_for_review(service, "Fund assessors")
    assert send_reminders() == 1
    assert mail.outbox[0].subject == "Grants and loans: needs your attention"


def test_weekly_digest_respects_the_opt_out(led_service):
    service, user = led_service
    other = ServiceLeaderFactory(
        service=service,
        person=PersonFactory(user=UserFactory(email="grace@example.org"), wants_digest=False),
    )
    FrictionPointFactory(
        service=service,
        title="New this week",
        category="process",
        severity="low",
        raised_on=timezone.localdate(),
    )
    assert send_weekly_digests() == 1
    [message] = mail.outbox
    assert message.to == ["priya@example.org"]
    assert "New this week" in message.body and other.person.name not in message.body
    assert send_weekly_digests() == 0


def test_profile_turns_the_digest_off(client, led_service):
    _, user = led_service
    client.force_login(user)
    client.post(reverse("services:profile"), {})
    user.person.refresh_from_db()
    assert user.person.wants_digest is False


# --- A real worker, with Redis --------------------------------------------------------------


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_an_import_end_to_end(tmp_path):
    from performance.imports import runs

    service = ServiceFactory(slug="grants")
    run = ImportRunFactory(kind="measurements", source="upload", file_name="m.csv")
    folder = runs.store(
        {
            "m.csv": (
                b"service,metric,period_start,period_end,value,channel\n"
                b"grants,transactions,2026-01-01,2026-01-31,42,digital\n"
            )
        }
    )
    db = settings.DATABASES["default"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "servicelead.settings_test"}
    if db["ENGINE"].endswith("postgresql"):
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "servicelead",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=WARNING",
        ],
        cwd=settings.BASE_DIR,
        env=env,
    )
    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
            runs.start(run, folder)  # enqueued on commit: this test commits for real
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.outcome != ImportRun.Outcome.RUNNING:
                break
            time.sleep(0.5)
        assert run.outcome == ImportRun.Outcome.APPLIED, run.errors
        assert service.metrics.get(key="transactions").measurements.get().value == 42
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_does_not_lose_it():
    """acks_late: the task goes back on the queue when its worker dies, and the next worker
    runs it to the end. The import is one transaction, so the dead worker left nothing."""
    from performance.imports import runs

    service = ServiceFactory(slug="grants")
    rows = "".join(
        f"grants,transactions,{day.isoformat()},{day.isoformat()},{n % 97},digital\n"
        for n, day in enumerate(date(1990, 1, 1) + timedelta(days=i) for i in range(150_000))
    )
    folder = runs.store(
        {"m.csv": ("service,metric,period_start,period_end,value,channel\n" + rows).encode()}
    )
    run = ImportRunFactory(kind="measurements", source="upload", file_name="m.csv")
    env = _worker_env() | {
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_RESTORE_INTERVAL": "1",
        "CELERY_RESTORE_THROTTLE": "1",
    }
    first = _worker(env)
    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
            runs.start(run, folder)
        _wait_until(lambda: _progress(run) > 0, 30)  # the first worker has started on it
        first.kill()
        first.wait(timeout=10)
        run.refresh_from_db()
        assert run.outcome == ImportRun.Outcome.RUNNING
        second = _worker(env)
        try:
            _wait_until(lambda: _outcome(run) != ImportRun.Outcome.RUNNING, 90)
        finally:
            second.terminate()
            second.wait(timeout=30)
        assert _outcome(run) == ImportRun.Outcome.APPLIED
        assert service.metrics.get(key="transactions").measurements.count() == 150_000
    finally:
        if first.poll() is None:
            first.kill()


def _worker_env() -> dict:
    db = settings.DATABASES["default"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "servicelead.settings_test"}
    if db["ENGINE"].endswith("postgresql"):
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    return env


def _worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "servicelead",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=WARNING",
        ],
        cwd=settings.BASE_DIR,
        env=env,
    )


def _progress(run: ImportRun) -> int:
    from performance.imports import runs

    run.refresh_from_db()
    return runs.progress_of(run)[0]


def _outcome(run: ImportRun) -> str:
    run.refresh_from_db()
    return run.outcome


def _wait_until(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"not done within {seconds} s")


def test_the_digest_marks_an_overdue_review(led_service):
    service, _ = led_service
    today = timezone.localdate()
    DecisionFactory(service=service, title="Fund assessors", review_by=today - timedelta(days=3))
    DecisionFactory(service=service, title="Close the counter", review_by=today + timedelta(days=3))
    assert send_weekly_digests() == 1
    body = mail.outbox[0].body
    past, soon = today - timedelta(days=3), today + timedelta(days=3)
    assert "Reviews overdue or due within 30 days: 2" in body
    assert f"Fund assessors (review by {past.day} {past:%b %Y}: overdue)" in body
    assert f"Close the counter (review by {soon.day} {soon:%b %Y})" in body


def test_the_weekly_digest_names_the_weeks_accountability_drift(led_service):
    service, _ = led_service
    stage = StageFactory(service=service, name="Check", team=TeamFactory(name="Casework"))
    stage.team = TeamFactory(name="Triage")
    stage.save()
    moved = timezone.localdate() - timedelta(days=17)  # 14 days without a decision: 3 days ago
    for entry, day in zip(
        Stage.history.filter(id=stage.pk).order_by("history_id"),
        [moved - timedelta(days=30), moved],
        strict=True,
    ):  # created a month before the move
        Stage.history.filter(history_id=entry.history_id).update(
            history_date=timezone.make_aware(datetime.combine(day, datetime.min.time()))
        )
    assert send_weekly_digests() == 1
    [message] = mail.outbox
    assert "Accountability drift this week: 1" in message.body
    assert "The stage “Check” moved from Casework to Triage" in message.body

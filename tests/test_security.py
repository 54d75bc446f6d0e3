import os
import secrets
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from services.actions import service_access_sync
from tests.factories import (
    PersonFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    StageFactory,
    UserFactory,
)

HOSTILE = [
    "<script>alert('owned')</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE services_service; --",
    "{{ request }} {% debug %}",
    "\u202eevil\u202c",
    "\x00null byte",
    "bell\x07 and escape\x1b[31m",
    "Zalgo ẑ̴̛̗a̶̡͘l̷̨̛g̵͍̈́ó̷̰",
    "🧑🏽‍💻 emoji and 中文 and עברית",
    "x" * 5000,
    "",
    " ",
]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=400),
)


def test_deploy_check_is_clean_with_production_settings():
    env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "HTTPS", "DJANGO_SETTINGS_MODULE"}
    }
    env |= {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "servicelead.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_sign_in_page_carries_a_strict_content_security_policy(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_sign_in_is_throttled_then_cools_off(client):
    UserFactory(username="priya", password="correct horse")
    login = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login, {"username": "priya", "password": "wrong"})
    locked = client.post(login, {"username": "priya", "password": "correct horse"})
    assert locked.status_code == 429
    assert "Too many attempts to sign in" in locked.content.decode()

    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )
    allowed = client.post(login, {"username": "priya", "password": "correct horse"})
    assert allowed.status_code == 302


@pytest.mark.django_db
def test_sessions_expire(client):
    UserFactory(username="priya", password="correct horse")
    client.post(reverse("login"), {"username": "priya", "password": "correct horse"})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert cookie["httponly"]


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=hostile_text, vision=hostile_text, priorities=hostile_text, stage=hostile_text)
def test_hostile_text_is_stored_and_shown_safely(client, name, vision, priorities, stage):
    user = UserFactory()
    service = ServiceFactory()
    ServiceLeaderFactory(service=service, person=PersonFactory(user=user))
    StageFactory(service=service, name=stage.replace("\x00", "")[:200] or "Stage")
    service_access_sync(service_ids=[service.pk])
    client.force_login(user)

    response = client.post(
        reverse("services:service_edit", args=[service.slug]),
        {
            "name": name,
            "purpose": "",
            "serves": "",
            "vision": vision,
            "priorities": priorities,
            "phase": "live",
            "kind": "transactional",
        },
    )
    assert response.status_code in {200, 302}
    for url in [
        service.get_absolute_url(),
        reverse("services:catalogue"),
        reverse("services:service_history", args=[service.slug]),
        reverse("services:service_edit", args=[service.slug]),
    ]:
        page = client.get(url)
        assert page.status_code == 200, url
        body = page.content.decode()
        assert "<script>alert" not in body
        assert "<img src=x" not in body

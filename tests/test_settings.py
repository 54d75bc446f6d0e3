import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from servicelead.settings import BASE_DIR, database_from_url, env_bool

CLEAN_ENV = {"DEBUG": "1"}


def load_settings(monkeypatch, **env) -> dict:
    """Evaluate settings.py afresh with exactly these environment variables of ours."""
    for name in ["DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE_DIR / "servicelead" / "settings.py"))


def test_postgres_url_uses_psycopg_with_a_pool():
    db = database_from_url("postgres://sam:s%40fe@db.example:6543/servicelead?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("servicelead", "sam", "s@fe")
    assert (db["HOST"], db["PORT"]) == ("db.example", "6543")
    assert db["OPTIONS"]["pool"]["max_size"] == 10
    assert db["OPTIONS"]["sslmode"] == "require"
    assert db["OPTIONS"]["options"] == "-c jit=off"  # compiling took 25x the query's time


def test_sqlite_url_relative_to_the_project_and_absolute():
    assert database_from_url("sqlite:///var/x.db")["NAME"] == BASE_DIR / "var" / "x.db"
    assert database_from_url("sqlite:////srv/data/x.db")["NAME"] == Path("/srv/data/x.db")


@pytest.mark.parametrize("url", ["mysql://root@localhost/db", "postgres://localhost", "nonsense"])
def test_unusable_database_url_is_refused(url):
    with pytest.raises(ImproperlyConfigured):
        database_from_url(url)


def test_env_bool_rejects_values_it_does_not_understand(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", False)


def test_defaults_are_sqlite_under_var_eager_tasks_and_local_memory_cache(monkeypatch):
    loaded = load_settings(monkeypatch, **CLEAN_ENV)
    assert loaded["DATABASES"]["default"]["NAME"] == BASE_DIR / "var" / "servicelead.sqlite3"
    assert loaded["CELERY_TASK_ALWAYS_EAGER"] is True
    assert loaded["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")


def test_redis_url_turns_on_the_broker_and_the_redis_cache(monkeypatch):
    loaded = load_settings(monkeypatch, REDIS_URL="redis://cache:6379/1", **CLEAN_ENV)
    assert loaded["CELERY_TASK_ALWAYS_EAGER"] is False
    assert loaded["CELERY_BROKER_URL"] == "redis://cache:6379/1"
    assert loaded["CACHES"]["default"]["LOCATION"] == "redis://cache:6379/2"


def test_app_refuses_to_start_without_secret_key_when_debug_is_off():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env["DJANGO_SETTINGS_MODULE"] = "servicelead.settings"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
def test_configured_redis_serves_the_cache():
    from django.core.cache import cache

    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    cache.set("servicelead-test-key", {"ok": 1}, timeout=10)
    assert cache.get("servicelead-test-key") == {"ok": 1}
    cache.delete("servicelead-test-key")


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
def test_configured_redis_is_reachable_as_the_celery_broker():
    from servicelead.celery import app

    assert app.conf.broker_url == os.environ["REDIS_URL"]
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1)
        assert connection.connected

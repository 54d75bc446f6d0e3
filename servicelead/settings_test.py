"""Test settings: the real settings, with a throwaway key and a fast password hasher."""

import os
import re

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("HTTPS", "0")  # the test client speaks plain HTTP


def _own_redis_databases(url: str, worker: str) -> str:
    """With tests on several workers (pytest-xdist's ``gw0``, ``gw1``…), each worker its own
    two Redis databases (broker, then cache) after the configured one: the workers' test
    databases number their rows alike, so a shared cache or broker would mix them up."""
    n = int(worker.removeprefix("gw"))
    match = re.fullmatch(r"(.*?)(?:/(\d+))?/?", url)
    return f"{match[1]}/{int(match[2] or 0) + 2 * (n + 1)}"


# Once per worker: a Celery worker a test starts inherits the environment already moved.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if os.environ.get("REDIS_URL") and WORKER and os.environ.get("TEST_REDIS_OF") != WORKER:
    os.environ["REDIS_URL"] = _own_redis_databases(os.environ["REDIS_URL"], WORKER)
    os.environ["TEST_REDIS_OF"] = WORKER
    os.environ.pop("REDIS_CACHE_URL", None)

from servicelead.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}  # noqa: F405

# Tasks run in the test's own process, even with Redis configured; the tests that start a
# real worker switch this off around what they send it.
CELERY_TASK_ALWAYS_EAGER = True

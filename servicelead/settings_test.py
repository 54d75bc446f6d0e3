"""Test settings: the real settings, with a throwaway key and a fast password hasher."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("HTTPS", "0")  # the test client speaks plain HTTP

from servicelead.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}  # noqa: F405

# Tasks run in the test's own process, even with Redis configured; the tests that start a
# real worker switch this off around what they send it.
CELERY_TASK_ALWAYS_EAGER = True

"""Test-only tweaks on top of the real settings: nothing else differs."""

import os

from twinning.settings import *  # noqa: F403
from twinning.settings import STORAGES

# Tests render templates without running collectstatic first.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Fast password hashing: test users are created per test.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Serve static files from the finders; no collectstatic output is needed.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# A second connection alias standing in for a read replica (same test database). The
# router only uses it where a test turns USE_REPLICA on.
DATABASES = {
    **DATABASES,  # noqa: F405
    "replica": {**DATABASES["default"], "TEST": {"MIRROR": "default"}},  # noqa: F405
}
USE_REPLICA = False
# Tests look at each response's context: the page cache is tested on its own
# (tests/test_caching.py turns it on).
PAGE_CACHE_SECONDS = 0

# Two test runs on one machine at once (e.g. two work trees) each name their own database.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}

"""Test-only tweaks on top of the real settings: nothing else differs."""

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

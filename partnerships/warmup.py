"""What a new web worker loads before its first request (gunicorn.conf.py,
``post_worker_init``): the public pages' templates, compiled by the cached loader, and the
translation catalogs of every language the site speaks; then it settles Python's garbage
collector for serving (``settle_garbage_collector``). No database is touched."""

from __future__ import annotations

import gc
from pathlib import Path

from django.conf import settings
from django.template.loader import get_template
from django.utils import translation

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# Python's cyclic garbage collector in a web worker: the first generation is collected after
# 10,000 new container objects instead of 700 (a list page makes about 100,000), the older
# ones as by default. Measured on the list and search pages at 100,000 partnerships
# (docs/PERFORMANCE.md, "fourth session"): with the defaults, every few dozen requests one
# paid a full collection of Django's and the catalogs' objects (80-130 ms of CPU).
GC_THRESHOLDS = (10_000, 10, 10)


def public_templates() -> list[str]:
    """The public site's templates by name (the admin's are left to the editors' first visit)."""
    return sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if path.relative_to(TEMPLATES).parts[0] != "admin"
    )


def warm_up() -> None:
    for name in public_templates():
        get_template(name)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Partnerships")
    settle_garbage_collector()


def settle_garbage_collector() -> None:
    """Move what the worker has loaded so far (Django, the templates, the catalogs) out of
    the collector's sight, and collect young objects less often.

    What is loaded before the first request lives as long as the worker; ``gc.freeze``
    keeps every later full collection from walking it again. Called last, after a
    ``gc.collect`` so that no garbage is frozen with it.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)

"""What a new web worker loads before its first request (gunicorn.conf.py,
``post_worker_init``): the public pages' templates, compiled by the cached loader, and the
translation catalogs of every language the site speaks. No database is touched."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.loader import get_template
from django.utils import translation

TEMPLATES = Path(settings.BASE_DIR) / "templates"


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

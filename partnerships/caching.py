"""The cache of public list pages, invalidated by any change of the registry.

Counting and faceting large result sets costs tens of milliseconds per query; the same
views are asked for again and again. Besides whole pages, the counts of a list (its total
and its facets) are kept per combination of filters (``cached_counts``), so paging,
sorting and switching the language do not count again. A rendered list page is kept in the cache under the
registry's generation (``RegistryGeneration``), the language and the full address. Every
save, delete or many-to-many change of a registry record raises the generation (signals;
importers writing in bulk raise it themselves), so no cached page ever outlives the data
it shows: counts stay exact and an unpublished record disappears at once.
"""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from partnerships.models import RegistryGeneration


def current_generation(request: HttpRequest | None = None) -> int:
    """The registry's generation; asked once per request when the request is given."""
    if request is not None and hasattr(request, "registry_generation"):
        return request.registry_generation
    value = RegistryGeneration.objects.values_list("value", flat=True).first() or 0
    if request is not None:
        request.registry_generation = value
    return value


def bump_generation(above: int = 0) -> None:
    """Raise the registry's generation, and past ``above`` (after a restore: past the value
    the dump's replaced, so that nothing cached under a number seen before is served)."""
    if not RegistryGeneration.objects.update(value=Greatest(F("value"), Value(above)) + 1):
        RegistryGeneration.objects.create(value=above + 1)


def _is_registry_data(sender) -> bool:
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label != "partnerships" or sender is RegistryGeneration:
        return False
    if meta.model_name.startswith("historical"):
        return False
    try:  # the models of a migration's historical state are not the real ones
        return apps.get_model(meta.app_label, meta.model_name) is sender
    except LookupError:
        return False


def registry_changed(sender, **kwargs) -> None:
    if _is_registry_data(sender):
        bump_generation()


def registry_links_changed(sender, action, **kwargs) -> None:
    if action.startswith("post_") and _is_registry_data(kwargs["model"]):
        bump_generation()


def cached_page(request: HttpRequest, build) -> HttpResponse:
    """The rendered page for this address, from the cache when the data has not changed.

    Only anonymous readers share cached pages; signed-in editors always get a fresh one.
    Only successful pages are kept.
    """
    seconds = settings.PAGE_CACHE_SECONDS
    if not seconds or request.user.is_authenticated:
        return build()
    raw = f"{current_generation(request)}|{get_language()}|{request.get_full_path()}"
    key = "page:" + hashlib.sha256(raw.encode()).hexdigest()
    hit = cache.get(key)
    if hit is not None:
        content, content_type = hit
        return HttpResponse(content, content_type=content_type)
    response = build()
    if response.status_code == 200:
        cache.set(key, (response.content, response["Content-Type"]), seconds)
    return response


def cached_counts(request: HttpRequest, key: str, count):
    """The result of ``count()`` (a list's total and facet counts) for the filters in ``key``.

    Counting every row that matches costs tens of milliseconds per facet at 100,000
    partnerships; the counts depend only on the filters and the data. They are kept under
    the registry's generation, so they are exact: the next page of the same filters, another
    sorting or another language reuses them, and any change of the registry recounts.
    """
    seconds = settings.PAGE_CACHE_SECONDS
    if not seconds:
        return count()
    raw = f"{current_generation(request)}|{key}"
    cache_key = "counts:" + hashlib.sha256(raw.encode()).hexdigest()
    hit = cache.get(cache_key)
    if hit is None:
        hit = count()
        cache.set(cache_key, hit, seconds)
    return hit


def fragment_seconds(request: HttpRequest) -> dict[str, int]:
    """Context processor: how long a template keeps a ``{% cache %}`` fragment (the site's
    header and footer per language, a record's article under the generation); the page
    cache's time, so 0 turns these off too."""
    return {"fragment_seconds": settings.PAGE_CACHE_SECONDS}


__all__ = [
    "bump_generation",
    "cached_counts",
    "cached_page",
    "current_generation",
    "fragment_seconds",
]

"""A counter of the registry's changes, behind the cache of public list pages."""

from __future__ import annotations

from django.db import models


class RegistryGeneration(models.Model):
    """One row; ``value`` rises on every change of the registry's data.

    Cached public pages are keyed by it, so a change (an editor's save, an import, a
    publication) makes every cached page stale at once, in every web process.
    """

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "registry generation"

    def __str__(self) -> str:
        return str(self.value)

"""What every admin page of the registry shares."""

from __future__ import annotations

from django.contrib import admin
from django.db import models

# An address typed without a scheme means https (Django 6's default, chosen now).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class RegistryAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS


class RegistryInline(admin.TabularInline):
    formfield_overrides = URL_FIELDS

"""The map of partnerships: a page with Leaflet and the GeoJSON of the filtered list (issue 12)."""

from __future__ import annotations

from django.views.generic import TemplateView


class MapView(TemplateView):
    template_name = "partnerships/map.html"

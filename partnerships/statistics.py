"""The statistics page: partnerships counted by Land × status, federal subject, decade, kind
and partner level, as server-rendered SVG charts with tables and CSVs (issue 12)."""

from __future__ import annotations

from django.views.generic import TemplateView


class StatisticsView(TemplateView):
    template_name = "partnerships/statistics.html"

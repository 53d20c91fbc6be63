"""The map of partnerships: a page with Leaflet and the GeoJSON of the filtered list (issue 12).

The page and its GeoJSON start from ``selectors.partnership_filterset``, the FilterSet of
the partnership list over its rows: under the same query string the map draws exactly the
partnerships the list shows (a line each), and the towns they link (a marker each). A
partnership whose partner has no coordinates cannot be drawn; it is counted as ``unplaced``
instead, so that lines and unplaced together always make the list's number.

The GeoJSON is read with one ``values()`` query, without model instances, so that it stays
quick for tens of thousands of partnerships.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from partnerships import selectors
from partnerships.caching import cached_counts, cached_page
from partnerships.filters import PartnershipFilter, shown_name
from partnerships.vocabulary import Country, PartnershipKind, Status

GEOJSON = "application/geo+json"
# Four decimals are about 10 m: more than a town's marker needs.
DIGITS = 4
PARTNERS = ("german", "russian")


def unplaced() -> Q:
    """Partnerships of which a partner has no coordinates (a town has both or neither)."""
    return Q(german_partner__latitude__isnull=True) | Q(russian_partner__latitude__isnull=True)


def url_pattern(name: str) -> str:
    """The address of a record by ``name`` with ``{slug}`` for its slug: reversing once per
    response instead of once per row (slugs need no escaping in a path)."""
    return reverse(name, kwargs={"slug": "SLUG"}).replace("SLUG", "{slug}")


def point(latitude: Decimal, longitude: Decimal, country: str) -> list[float]:
    """[longitude, latitude] as GeoJSON orders them.

    Russia's few places west of the antimeridian (Chukotka) are given east of 180°, as the
    basemap does (scripts/vendor-js.mjs), so that their lines do not cross the whole map.
    """
    x = float(longitude)
    if country == Country.RUSSIA and x < 0:
        x += 360
    return [round(x, DIGITS), round(float(latitude), DIGITS)]


def errors_response(filterset: PartnershipFilter) -> HttpResponse:
    errors = {
        field: [str(message) for message in messages]
        for field, messages in filterset.form.errors.items()
    }
    body = {"error": _("Some filters could not be used."), "errors": errors}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=400, content_type="application/json"
    )


def feature_collection(filterset: PartnershipFilter) -> dict:
    """The partnerships of the filtered list as lines, their towns as points."""
    fields = {}
    for side in PARTNERS:
        prefix = f"{side}_partner__"
        fields.update(
            {
                f"{side}_id": f"{prefix}id",
                f"{side}_slug": f"{prefix}slug",
                f"{side}_country": f"{prefix}country",
                f"{side}_latitude": f"{prefix}latitude",
                f"{side}_longitude": f"{prefix}longitude",
            }
        )
    rows = (
        filterset.qs.order_by("pk")
        .values(
            "pk",
            "slug",
            "status",
            "kind",
            "since_year",
            german_name=shown_name("german_partner__"),
            russian_name=shown_name("russian_partner__"),
            **{alias: F(path) for alias, path in fields.items()},
        )
        .iterator(chunk_size=5000)
    )
    partnership_url = url_pattern("partnerships:partnership-detail")
    municipality_url = url_pattern("partnerships:municipality-detail")
    status_labels = {value: str(label) for value, label in Status.choices}
    kind_labels = {value: str(label) for value, label in PartnershipKind.choices}

    lines = []
    towns: dict[int, dict] = {}
    unplaced_count = 0
    for row in rows:
        ends = []
        for side in PARTNERS:
            town_id, latitude = row[f"{side}_id"], row[f"{side}_latitude"]
            if latitude is None:
                continue
            coordinates = point(latitude, row[f"{side}_longitude"], row[f"{side}_country"])
            ends.append(coordinates)
            town = towns.get(town_id)
            if town is None:
                town = towns[town_id] = {
                    "type": "Feature",
                    "id": f"municipality-{town_id}",
                    "geometry": {"type": "Point", "coordinates": coordinates},
                    "properties": {
                        "kind": "municipality",
                        "id": town_id,
                        "name": row[f"{side}_name"],
                        "country": row[f"{side}_country"],
                        "url": municipality_url.format(slug=row[f"{side}_slug"]),
                        "count": 0,
                    },
                }
            town["properties"]["count"] += 1
        if len(ends) < 2:
            unplaced_count += 1
            continue
        lines.append(
            {
                "type": "Feature",
                "id": f"partnership-{row['pk']}",
                "geometry": {"type": "LineString", "coordinates": ends},
                "properties": {
                    "kind": "partnership",
                    "id": row["pk"],
                    "url": partnership_url.format(slug=row["slug"]),
                    "german": row["german_name"],
                    "russian": row["russian_name"],
                    "german_id": row["german_id"],
                    "russian_id": row["russian_id"],
                    "status": row["status"],
                    "status_label": status_labels.get(row["status"], row["status"]),
                    "partnership_kind": row["kind"],
                    "kind_label": kind_labels.get(row["kind"], row["kind"]),
                    "since_year": row["since_year"],
                },
            }
        )
    return counted_collection(lines + list(towns.values()), len(lines), unplaced_count)


def counted_collection(features: list[dict], drawn: int, unplaced: int) -> dict:
    """A GeoJSON FeatureCollection that says how many rows it draws and how many it cannot
    place (no coordinates): ``total`` = ``drawn`` + ``unplaced``, as the map's note says."""
    return {
        "type": "FeatureCollection",
        "total": drawn + unplaced,
        "drawn": drawn,
        "unplaced": unplaced,
        "features": features,
    }


def build_geojson(request: HttpRequest) -> HttpResponse:
    filterset = selectors.partnership_filterset(request.GET)
    if not filterset.is_valid():
        return errors_response(filterset)
    body = json.dumps(feature_collection(filterset), ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, content_type=GEOJSON)


def partnership_geojson(request: HttpRequest) -> HttpResponse:
    """The GeoJSON of the partnership list under the same query string (``/map.geojson``)."""
    return cached_page(request, lambda: build_geojson(request))


class MapView(TemplateView):
    """The map page: the list's filters, the count, the legend and the map's element.

    The page carries no data itself; ``static/js/map.js`` fetches the GeoJSON with the
    page's own query string.
    """

    template_name = "partnerships/map.html"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return cached_page(request, lambda: self.render_map(request))

    def render_map(self, request: HttpRequest) -> HttpResponse:
        filterset = selectors.partnership_filterset(request.GET)
        context = {"filterset": filterset, "view": self, "statuses": Status.choices}
        if not filterset.is_valid():
            context["error"] = _("Some filters could not be used; see the messages below.")
            return render(request, self.template_name, context, status=400)
        total, facet_values = cached_counts(request, filterset.count_key(), filterset.counts)
        not_drawn = filterset.qs.filter(unplaced()).order_by().count() if total else 0
        context.update(
            total=total,
            unplaced=not_drawn,
            drawn=total - not_drawn,
            facets=filterset.facet_counts(facet_values),
            query=request.GET.urlencode(),
        )
        return render(request, self.template_name, context)

"""The API's answers: lists and details of five kinds, GeoJSON of two, ETags, 304.

Each list's rows are its HTML list's: the same selector (``selectors.listed_*``) filtered by
the same FilterSet (``filterset_class``, ``ListFilterBackend``); details come from
``published()``. Every answer is conditional: its ETag is a hash of the
registry's generation (raised by any change of any record, ``partnerships.caching``), the
address and the language, so a client that sends it back in ``If-None-Match`` gets 304
without a query of the data, and a changed registry answers 200 with a new ETag.
"""

from __future__ import annotations

import base64
import hashlib
import re

from django.db.models import F, Prefetch
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from partnerships import maps, selectors
from partnerships.api.filters import (
    InvalidQuery,
    ListFilterBackend,
    form_errors,
)
from partnerships.api.pagination import HarvestCursorPagination
from partnerships.api.serializers import (
    AppealSerializer,
    ErrorSerializer,
    InitiativeSerializer,
    MunicipalitySerializer,
    PartnershipSerializer,
    SignatorySerializer,
)
from partnerships.caching import current_generation
from partnerships.models import (
    AlternativeName,
    Appeal,
    Initiative,
    Municipality,
    Partnership,
    Signatory,
    StatusEvent,
)

# Raised when the API's answers change shape, so that no client keeps an old one.
ETAG_REVISION = "1"


def registry_etag(request: HttpRequest) -> str:
    raw = (
        f"{ETAG_REVISION}|{current_generation(request)}|{get_language()}|{request.get_full_path()}"
    )
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


class Conditional:
    """ETag on every successful GET; 304 to a matching If-None-Match, before any query
    of the data. ``Cache-Control: no-cache``: a cache may keep the answer, but asks again
    (cheaply, with the ETag) before using it.

    Messages and labels are in the client's language (its language cookie or
    Accept-Language; German by default): the API's addresses have no language prefix, so
    LocaleMiddleware alone would always answer in German. The answer is rendered here,
    in that language.
    """

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        language = translation.get_language_from_request(request)
        with translation.override(language):
            response = self.conditional(request, *args, **kwargs)
            if isinstance(response, Response):
                response.render()
        response["Content-Language"] = language
        return response

    def conditional(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return super().dispatch(request, *args, **kwargs)
        etag = registry_etag(request)
        response = get_conditional_response(request, etag=etag)
        if response is None:
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code != 200:
                return response
        response["ETag"] = etag
        patch_cache_control(response, public=True, no_cache=True)
        return response


NOT_MODIFIED = OpenApiResponse(description="Not modified: the ETag sent in If-None-Match holds.")
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A parameter could not be used."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests: see Retry-After."),
}
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="No published record here.")}


def documented(serializer, noun: str, summary: str = ""):
    """The list's and the detail's responses, errors included."""
    return extend_schema_view(
        list=extend_schema(
            summary=summary or f"{noun.capitalize()}, filtered as the HTML list",
            responses={200: serializer, 304: NOT_MODIFIED, **ERRORS},
        ),
        retrieve=extend_schema(
            summary=f"One of the {noun}",
            responses={200: serializer, 304: NOT_MODIFIED, **NOT_FOUND, 429: ERRORS[429]},
        ),
    )


class RegistryViewSet(Conditional, viewsets.ReadOnlyModelViewSet):
    """A list filtered as its HTML list (``filterset_class`` over the rows ``get_queryset()``
    gives the ``list`` action), paged by cursor; details published only.

    ``related()`` adds what the serializer reads (a fixed number of queries per page).
    """

    filterset_class = None
    lookup_field = "slug"
    # Anything up to the next slash: a malformed slug or id is a JSON 404 of the API's,
    # not the site's HTML one.
    lookup_value_regex = "[^/]+"
    filter_backends = [ListFilterBackend]
    pagination_class = HarvestCursorPagination

    def related(self, queryset):
        return queryset

    def filter_queryset(self, queryset):
        return self.related(super().filter_queryset(queryset))


@documented(PartnershipSerializer, "partnerships")
class PartnershipViewSet(selectors.PartnershipList, RegistryViewSet):
    """Partnerships: the filters of `/partnerships/` (`german_state=DE-NW&status=suspended`)."""

    serializer_class = PartnershipSerializer

    def get_queryset(self):
        if self.action == "list":
            return super().get_queryset()
        return Partnership.objects.published().select_related(
            "german_partner__region", "russian_partner__region"
        )

    def related(self, queryset):
        return queryset.prefetch_related(
            "sources",
            Prefetch("status_events", queryset=StatusEvent.objects.all()),
            Prefetch(
                "initiatives",
                queryset=Initiative.objects.published().only("pk"),
                to_attr="public_initiatives",
            ),
        )


@documented(MunicipalitySerializer, "municipalities")
class MunicipalityViewSet(selectors.MunicipalityList, RegistryViewSet):
    """Municipalities: the filters of `/municipalities/`."""

    serializer_class = MunicipalitySerializer

    def get_queryset(self):
        if self.action == "list":
            return super().get_queryset()
        return Municipality.objects.published().select_related("region")

    def related(self, queryset):
        return queryset.prefetch_related(
            Prefetch("alternative_names", queryset=AlternativeName.objects.all())
        )


@documented(InitiativeSerializer, "initiatives")
class InitiativeViewSet(selectors.InitiativeList, RegistryViewSet):
    """Initiatives: the filters of `/initiatives/`."""

    serializer_class = InitiativeSerializer

    def get_queryset(self):
        if self.action == "list":
            return super().get_queryset()
        return Initiative.objects.published().select_related("seat__region")

    def related(self, queryset):
        return queryset.prefetch_related(
            Prefetch(
                "partnerships",
                queryset=Partnership.objects.published().only("pk", "slug").order_by("slug"),
                to_attr="public_partnerships",
            )
        )


@documented(SignatorySerializer, "signatories")
class SignatoryViewSet(selectors.SignatoryList, RegistryViewSet):
    """Signatories and supporters of the appeals: the filters of `/signatories/`."""

    serializer_class = SignatorySerializer
    lookup_field = "pk"

    def get_queryset(self):
        if self.action == "list":
            return super().get_queryset()
        return Signatory.objects.published().select_related(
            "appeal", "municipality__region", "initiative__seat__region"
        )


@documented(AppealSerializer, "appeals", "The published appeals")
class AppealViewSet(RegistryViewSet):
    """The published appeals (no filters but `modified_since`)."""

    serializer_class = AppealSerializer

    def get_queryset(self):
        return Appeal.objects.published()


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


POSITION = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}
FEATURE_COLLECTION = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "total": {"type": "integer", "description": "Rows of the list."},
        "drawn": {"type": "integer", "description": "Rows drawn (with coordinates)."},
        "unplaced": {"type": "integer", "description": "Rows without coordinates."},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "geometry", "properties"],
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]},
                    "id": {"type": "string"},
                    "geometry": {
                        "type": "object",
                        "required": ["type", "coordinates"],
                        "properties": {
                            "type": {"type": "string", "enum": ["Point", "LineString"]},
                            "coordinates": {
                                "oneOf": [POSITION, {"type": "array", "items": POSITION}]
                            },
                        },
                    },
                    "properties": {"type": "object", "additionalProperties": True},
                },
            },
        },
    },
}


class GeoJSONSchema(AutoSchema):
    """The GeoJSON's parameters: its list's filters (it has no pages)."""

    def get_filter_backends(self):
        return [ListFilterBackend]


class GeoJSONView(Conditional, APIView):
    """A list's rows as a GeoJSON FeatureCollection (all of them, no pages).

    Errors are JSON like the rest of the API's, not GeoJSON.
    """

    renderer_classes = [GeoJSONRenderer]
    schema = GeoJSONSchema()
    filterset_class = None
    harvest = False  # no modified_since: a map shows the list as it is

    def get_queryset(self):
        """The rows of the HTML list (``selectors.listed_*``), which ``filterset_class`` filters."""
        raise NotImplementedError

    def get(self, request, *args, **kwargs) -> Response:
        filterset = self.filterset_class(request.query_params, queryset=self.get_queryset())
        if not filterset.is_valid():
            raise InvalidQuery(form_errors(filterset.form), _("Some filters could not be used."))
        return Response(self.collection(filterset))

    def collection(self, filterset) -> dict:
        raise NotImplementedError

    def handle_exception(self, exc):
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


def geojson_responses(summary: str, resource: str):
    return extend_schema(
        summary=summary,
        operation_id=f"{resource}_geojson",
        tags=[resource],
        responses={
            (200, GeoJSONRenderer.media_type): OpenApiResponse(FEATURE_COLLECTION),
            304: NOT_MODIFIED,
            (400, JSONRenderer.media_type): ERRORS[400],
            (429, JSONRenderer.media_type): ERRORS[429],
        },
    )


class PartnershipGeoJSONView(selectors.PartnershipList, GeoJSONView):
    """The partnership list as lines between its partners, the partners as points: the
    map's own GeoJSON (`maps.feature_collection`), under the list's filters."""

    @geojson_responses("Partnerships as lines (GeoJSON), filtered as the HTML list", "partnerships")
    def get(self, request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def collection(self, filterset) -> dict:
        return maps.feature_collection(filterset)


class MunicipalityGeoJSONView(selectors.MunicipalityList, GeoJSONView):
    """The municipality list as points; those without coordinates are counted as
    `unplaced` (`total` = `drawn` + `unplaced`, as on the map)."""

    @geojson_responses(
        "Municipalities as points (GeoJSON), filtered as the HTML list", "municipalities"
    )
    def get(self, request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def collection(self, filterset) -> dict:
        rows = (
            filterset.qs.order_by("pk")
            .values(
                "pk",
                "slug",
                "country",
                "kind",
                "name",
                "name_de",
                "name_en",
                "name_ru",
                "latitude",
                "longitude",
                region_iso=F("region__code"),
            )
            .iterator(chunk_size=5000)
        )
        page_url = maps.url_pattern("partnerships:municipality-detail")
        features, unplaced = [], 0
        for row in rows:
            if row["latitude"] is None:
                unplaced += 1
                continue
            features.append(
                {
                    "type": "Feature",
                    "id": f"municipality-{row['pk']}",
                    "geometry": {
                        "type": "Point",
                        "coordinates": maps.point(
                            row["latitude"], row["longitude"], row["country"]
                        ),
                    },
                    "properties": {
                        "kind": "municipality",
                        "id": row["pk"],
                        "slug": row["slug"],
                        "url": page_url.format(slug=row["slug"]),
                        "name": row["name"],
                        "name_de": row["name_de"] or None,
                        "name_en": row["name_en"] or None,
                        "name_ru": row["name_ru"] or None,
                        "country": row["country"],
                        "municipality_kind": row["kind"],
                        "region_iso": row["region_iso"],
                    },
                }
            )
        return maps.counted_collection(features, len(features), unplaced)


INLINE_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


class DocumentationView(SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar's files, served by this site (no CDN).

    The split view serves its start script as a request of its own, so the page holds no
    inline script. Its template has one small inline ``<style>`` block, which the site's
    policy (``style-src 'self'``) would refuse: this page alone allows that block by its
    SHA-256 hash, computed from the page as rendered (no ``'unsafe-inline'``).
    """

    url_name = "api:schema"

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if isinstance(response, Response) and response.status_code == 200:
            response.render()
            blocks = INLINE_STYLE.findall(response.content.decode())
            if blocks:
                # Read by django-csp's middleware, as its @csp_update decorator sets it.
                response._csp_update = {"style-src": [style_hash(block) for block in blocks]}
        return response


def style_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema, always in English (the documentation's language)."""

    def dispatch(self, request, *args, **kwargs):
        with translation.override("en"):
            response = super().dispatch(request, *args, **kwargs)
            # Rendered here: the schema's descriptions are translated lazily.
            return response.render()

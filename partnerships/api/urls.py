"""``/api/v1/`` (the data), ``/api/schema/`` (OpenAPI 3) and ``/api/docs/`` (Swagger UI).

Outside ``i18n_patterns``: the API's addresses have no language prefix.
"""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from partnerships.api import views

app_name = "api"


class Router(DefaultRouter):
    """The API's root at /api/v1/, without format suffixes (the API speaks JSON only)."""

    include_format_suffixes = False


router = Router()
router.register("partnerships", views.PartnershipViewSet, basename="partnership")
router.register("municipalities", views.MunicipalityViewSet, basename="municipality")
router.register("initiatives", views.InitiativeViewSet, basename="initiative")
router.register("signatories", views.SignatoryViewSet, basename="signatory")
router.register("appeals", views.AppealViewSet, basename="appeal")

urlpatterns = [
    path(
        "v1/partnerships.geojson",
        views.PartnershipGeoJSONView.as_view(),
        name="partnership-geojson",
    ),
    path(
        "v1/municipalities.geojson",
        views.MunicipalityGeoJSONView.as_view(),
        name="municipality-geojson",
    ),
    path("v1/", include(router.urls)),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    # Swagger UI from drf-spectacular-sidecar's files, under the site's CSP.
    path("docs/", views.DocumentationView.as_view(), name="docs"),
]

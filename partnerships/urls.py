from django.urls import path

from partnerships import datapackage, maps, statistics, views
from partnerships.suggestions import suggest

app_name = "partnerships"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("about/", views.AboutView.as_view(), name="about"),
    path("changes/", views.RecentChangesView.as_view(), name="changes"),
    path("changes/feed.atom", views.RecentChangesFeed(), name="changes-feed"),
    path("partnerships/", views.PartnershipListView.as_view(), name="partnership-list"),
    # The map and the statistics (partnerships/maps.py, partnerships/statistics.py).
    path("map/", maps.MapView.as_view(), name="map"),
    path("map/partnerships.geojson", maps.partnership_geojson, name="partnership-geojson"),
    path("statistics/", statistics.StatisticsView.as_view(), name="statistics"),
    path("statistics/<slug:figure>.csv", statistics.statistics_csv, name="statistics-csv"),
    path(
        "partnerships/export.csv",
        views.PartnershipExportView.as_view(),
        name="partnership-export",
    ),
    path(
        "partnerships/<slug:slug>/",
        views.PartnershipDetailView.as_view(),
        name="partnership-detail",
    ),
    path("municipalities/", views.MunicipalityListView.as_view(), name="municipality-list"),
    path(
        "municipalities/export.csv",
        views.MunicipalityExportView.as_view(),
        name="municipality-export",
    ),
    path(
        "municipalities/<slug:slug>/",
        views.MunicipalityDetailView.as_view(),
        name="municipality-detail",
    ),
    path("initiatives/", views.InitiativeListView.as_view(), name="initiative-list"),
    path("initiatives/export.csv", views.InitiativeExportView.as_view(), name="initiative-export"),
    path(
        "initiatives/<slug:slug>/",
        views.InitiativeDetailView.as_view(),
        name="initiative-detail",
    ),
    path("signatories/", views.SignatoryListView.as_view(), name="signatory-list"),
    path("signatories/export.csv", views.SignatoryExportView.as_view(), name="signatory-export"),
    path("data/datapackage.json", datapackage.datapackage_json, name="datapackage"),
    path("data/registry.zip", datapackage.registry_zip, name="registry-zip"),
    path("appeals/<slug:slug>/", views.AppealDetailView.as_view(), name="appeal-detail"),
    # "Suggest a correction" on every public detail page (partnerships/suggestions.py).
    path(
        "partnerships/<slug:slug>/suggest/",
        suggest,
        {"kind": "partnerships"},
        name="partnership-suggest",
    ),
    path(
        "municipalities/<slug:slug>/suggest/",
        suggest,
        {"kind": "municipalities"},
        name="municipality-suggest",
    ),
    path(
        "initiatives/<slug:slug>/suggest/",
        suggest,
        {"kind": "initiatives"},
        name="initiative-suggest",
    ),
    path("appeals/<slug:slug>/suggest/", suggest, {"kind": "appeals"}, name="appeal-suggest"),
]

from django.urls import path
from django.views.generic import TemplateView

from partnerships import views

app_name = "partnerships"

urlpatterns = [
    path("", TemplateView.as_view(template_name="partnerships/home.html"), name="home"),
    path(
        "partnerships/<slug:slug>/",
        views.PartnershipDetailView.as_view(),
        name="partnership-detail",
    ),
    path(
        "municipalities/<slug:slug>/",
        views.MunicipalityDetailView.as_view(),
        name="municipality-detail",
    ),
    path(
        "initiatives/<slug:slug>/", views.InitiativeDetailView.as_view(), name="initiative-detail"
    ),
    path("appeals/<slug:slug>/", views.AppealDetailView.as_view(), name="appeal-detail"),
]

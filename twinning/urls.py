from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from twinning.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The open-data API (partnerships/api/): no language prefix.
    path("api/", include("partnerships.api.urls")),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include("partnerships.urls")),
    prefix_default_language=False,
)

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from providers.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs", SpectacularRedocView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/docs/swagger", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-swagger"),
    path("api/onegaming/", include("providers.onegaming.urls")),
    path("api/oppi/", include("providers.oppi.urls")),
    path("", include("lobby.urls")),
]

if settings.SANDBOX_ENABLED:
    # Stand-in provider lobbies and games for development and tests; never in production.
    urlpatterns.append(path("sandbox/", include("providers.sandbox.urls")))

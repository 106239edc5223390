from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from audit.admin import audit_log_view
from config.api_docs import redoc_bundle, staff_unless_published
from core.health import healthz
from core.observability import metrics
from core.registry import registrations

# At 1280 px the app sidebar took a quarter of the width and pushed list columns out of sight;
# staff move between lists from the index page and the breadcrumbs instead.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("admin/audit/log/", admin.site.admin_view(audit_log_view), name="audit-log"),
    path("admin/reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
    path("staff/", include("staffauth.urls")),  # two-factor enrolment for staff
    # Staff only unless settings.API_DOCS_PUBLIC (the default with DEBUG on).
    path("api/schema", staff_unless_published(SpectacularAPIView.as_view()), name="api-schema"),
    # Our own ReDoc page template: the package's loads web fonts from Google (the docs are offline).
    path("api/docs", staff_unless_published(SpectacularRedocView.as_view(
        url_name="api-schema", template_name="api_docs/redoc.html")), name="api-docs"),
    path("api/docs/redoc.standalone.js", redoc_bundle, name="api-docs-redoc-bundle"),
    # The split view serves Swagger UI's start-up script as a file of its own (no inline script: CSP).
    path("api/docs/swagger", staff_unless_published(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
         name="api-swagger"),
    # Each installed provider's routes (its callbacks; the sandbox's stand-in lobbies, whose every
    # view checks settings.SANDBOX_ENABLED on each request and answers 404 when it is off).
    *(path(r.url_prefix, include(r.urls)) for r in registrations() if r.urls),
    path("", include("lobby.urls")),
]

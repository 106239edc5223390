"""The API docs pages, served fully offline.

ReDoc's bundle (from drf-spectacular-sidecar) always draws the Redocly logo in its side menu
from cdn.redoc.ly. We serve the same bundle with that one address pointed at our own icon, so
the page asks nothing of the internet (the fonts are left out by templates/api_docs/redoc.html).
"""

from functools import lru_cache, wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control

REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@lru_cache(maxsize=1)
def _offline_redoc_bundle() -> bytes:
    with open(finders.find(REDOC_BUNDLE), "rb") as bundle:
        return bundle.read().replace(REDOCLY_LOGO.encode(), static("lobby/favicon.svg").encode())


@cache_control(max_age=3600, public=True)
def redoc_bundle(request):
    return HttpResponse(_offline_redoc_bundle(), content_type="application/javascript; charset=utf-8")


def staff_unless_published(view):
    """The OpenAPI description and its pages: staff only (they are signed in to the admin) unless
    settings.API_DOCS_PUBLIC publishes them (the default with DEBUG on). Read on each request."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not settings.API_DOCS_PUBLIC and not (user.is_active and user.is_staff):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return view(request, *args, **kwargs)

    return wrapped

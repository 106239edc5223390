"""1G routes under /api/onegaming/: the wallet callbacks and the lobby validation."""

from django.urls import re_path

from . import views
from .callback_urls import urlpatterns as callback_urlpatterns
from .lobby_urls import urlpatterns as lobby_urlpatterns

urlpatterns = [
    *callback_urlpatterns,
    *lobby_urlpatterns,
    re_path(r"^(?P<rest>.*)$", views.unknown_path, name="onegaming-unknown"),  # last: everything else
]

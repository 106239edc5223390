"""1G routes under /api/onegaming/: the wallet callbacks and the lobby validation."""

from .callback_urls import urlpatterns as callback_urlpatterns
from .lobby_urls import urlpatterns as lobby_urlpatterns

urlpatterns = [*callback_urlpatterns, *lobby_urlpatterns]

"""A lighter Django handler for the providers' callback paths (see config/wsgi.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler


class CallbackHandler(WSGIHandler):
    """Django's own WSGI handler (URL routing, signals, exception handling, connection
    hand-back at the request's end) with its own middleware list instead of settings.MIDDLEWARE."""

    def __init__(self, middleware: list[str]):
        self.middleware_paths = list(middleware)
        super().__init__()

    def load_middleware(self, is_async: bool = False) -> None:
        # BaseHandler.load_middleware reads settings.MIDDLEWARE: give it ours while it builds the
        # chain (once, when the process loads the application, before any request).
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = self.middleware_paths
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


class CallbackPathsDispatcher:
    """Sends a request whose path starts with one of `prefixes` to `callbacks`, any other to `full`."""

    def __init__(self, full, callbacks, prefixes: tuple[str, ...]):
        self.full, self.callbacks, self.prefixes = full, callbacks, prefixes

    def __call__(self, environ, start_response):
        handler = self.callbacks if environ.get("PATH_INFO", "").startswith(self.prefixes) else self.full
        return handler(environ, start_response)


def with_callback_handler(full):
    prefixes = getattr(settings, "CALLBACK_PATH_PREFIXES", None)
    if prefixes is None:
        from core.registry import registrations

        prefixes = [f"/{r.url_prefix}" for r in registrations() if r.urls and r.callback_paths]
    prefixes = tuple(prefixes)
    if not prefixes:
        return full
    return CallbackPathsDispatcher(full, CallbackHandler(settings.CALLBACK_MIDDLEWARE), prefixes)

"""Seamless callbacks as plain Django views at run time, DRF views for their description.

A callback reads its raw body (the signature covers the exact bytes), authenticates itself and
always answers JSON in its provider's dialect, so DRF's request wrapper, authentication,
permissions, throttles, content negotiation and response rendering do nothing for it but cost
CPU on every call (the callback's second pass, issue 24). The views stay APIView subclasses so
that drf-spectacular still describes them from their serializers and `extend_schema`.
"""

from __future__ import annotations

from django.http import HttpResponse


class PlainDispatch:
    """Mixin for an APIView whose POST and every other method answer on their own (they never
    raise): dispatch as plain Django, without DRF's per-request machinery."""

    def dispatch(self, request, *args, **kwargs):
        self.request, self.args, self.kwargs = request, args, kwargs
        if request.method == "POST":
            return self.post(request, *args, **kwargs)
        return self.http_method_not_allowed(request, *args, **kwargs)


def json_response(content: bytes) -> HttpResponse:
    """HTTP 200 with a JSON body already rendered by the provider's renderer."""
    return HttpResponse(content, content_type="application/json")

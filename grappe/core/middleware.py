"""Refuse, before any view runs, a request that carries a NUL character (0x00) in its
parameters or JSON body.

PostgreSQL text cannot hold NUL, so such a value would end as a server error there and be
stored as is on SQLite. Django's form fields already refuse it; query parameters read by
hand and the API's JSON bodies did not. One refusal here keeps both databases alike and
gives the caller a clear message."""

import json

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def request_has_nul(request) -> bool:
    if NUL in request.path:
        return True
    if any(NUL in k or any(NUL in v for v in vs) for k, vs in request.GET.lists()):
        return True
    content_type = request.content_type or ""
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return any(NUL in k or any(NUL in v for v in vs) for k, vs in request.POST.lists())
        if "json" in content_type and b"\\u0000" in request.body:
            try:
                return _has_nul(json.loads(request.body))
            except ValueError:
                return False  # not JSON: the API's own parser explains it
    return False


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request_has_nul(request):
            message = _("La requête contient un caractère nul (0x00) : elle est refusée.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

"""API authentication: a personal token (``Authorization: Bearer grp_…``), or none.

Without a token the request is anonymous and sees public data only; a wrong or
revoked token is refused with 401. Scoping is then the same as on the pages.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from ninja.security.base import AuthBase

from grappe.core.models import ApiToken


class TokenOrAnonymous(AuthBase):
    openapi_type = "http"
    openapi_scheme = "bearer"

    def __init__(self):
        self.openapi_scheme = "bearer"
        super().__init__()

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if not header:
            if request.user.is_authenticated and request.method in ("GET", "HEAD", "OPTIONS"):
                return request.user  # the browser session, for reads
            request.user = AnonymousUser()
            return request.user
        scheme, _sep, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return None
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(key.strip()), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            return None
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        request.user = token.user
        return token.user

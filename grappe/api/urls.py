"""The JSON API: each app's ``api.py`` router, mounted under /api/."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI

from grappe.api.auth import TokenOrAnonymous
from grappe.billing.api import router as billing_router
from grappe.calls.api import router as calls_router
from grappe.core.api import router as core_router
from grappe.insights.api import router as insights_router
from grappe.members.api import router as members_router
from grappe.pooling.api import router as pooling_router

api = NinjaAPI(
    title="Grappe API",
    version="1",
    description=(
        "API de Grappe. Authentification : `Authorization: Bearer <jeton>` (jetons créés "
        "sur la page « Jetons d'API » du compte). Sans jeton, seules les données publiques "
        "sont visibles. Les données d'une grappe sont sous /api/clusters/{slug}/."
    ),
    auth=TokenOrAnonymous(),
    urls_namespace="api",
)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": "Action non autorisée."}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Introuvable."}, status=404)


@api.exception_handler(DjangoValidationError)
def validation_error(request, exc):
    detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return api.create_response(request, {"detail": detail}, status=400)


api.add_router("/clusters", core_router)
api.add_router("/clusters", members_router)
api.add_router("/clusters", billing_router)
api.add_router("/clusters", pooling_router)
api.add_router("/clusters", calls_router)
api.add_router("/clusters", insights_router)

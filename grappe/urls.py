from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from django.views.static import serve

from grappe.api.urls import api


def healthz(request):
    """For load balancers and for the benchmarks' bare-Django baseline: no database."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("grappe.core.urls")),
    path("", include("grappe.members.urls")),
    path("", include("grappe.billing.urls")),
    path("", include("grappe.pooling.urls")),
    path("", include("grappe.calls.urls")),
    path("", include("grappe.insights.urls")),
]

# Public uploads only (cluster logos); private files go through permission-checked views.
urlpatterns += [
    re_path(r"^media/(?P<path>clusters/logos/.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
]

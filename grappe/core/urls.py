from django.urls import path

from grappe.core import views

app_name = "core"

urlpatterns = [
    path("legal/", views.LegalNoticeView.as_view(), name="legal-notice"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
    path("unsubscribe/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
    path("me/data/", views.MyDataView.as_view(), name="my-data"),
    path("me/data/export/", views.MyDataExportView.as_view(), name="my-data-export"),
    path("me/data/erase/", views.MyDataEraseView.as_view(), name="my-data-erase"),
    path("me/tokens/", views.ApiTokenListView.as_view(), name="api-tokens"),
    path("me/tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="api-token-revoke"),
    path(
        "c/<slug:cluster_slug>/manage/settings/",
        views.ClusterSettingsView.as_view(),
        name="cluster-settings",
    ),
    path(
        "c/<slug:cluster_slug>/manage/staff/<int:pk>/revoke/",
        views.StaffRevokeView.as_view(),
        name="staff-revoke",
    ),
    path("c/<slug:cluster_slug>/manage/audit/", views.AuditLogView.as_view(), name="audit-log"),
]

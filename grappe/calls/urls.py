from django.urls import path

from grappe.calls import views

app_name = "calls"

C = "c/<slug:cluster_slug>/"

urlpatterns = [
    path("calls/", views.CatalogueView.as_view(), name="catalogue"),
    path("calls/<int:pk>/", views.CatalogueDetailView.as_view(), name="catalogue-detail"),
    path(C + "calls/", views.CallListView.as_view(), name="call-list"),
    path(C + "calls/<int:pk>/", views.CallDetailView.as_view(), name="call-detail"),
    path(C + "calls/matches/", views.MatchListView.as_view(), name="match-list"),
    path(C + "calls/alerts/", views.AlertsView.as_view(), name="alerts"),
    path(C + "calls/alerts/searches/", views.SavedSearchCreateView.as_view(), name="search-save"),
    path(
        C + "calls/alerts/searches/<int:pk>/delete/",
        views.SavedSearchDeleteView.as_view(),
        name="search-delete",
    ),
    path(C + "calls/calendar/<str:token>.ics", views.CalendarView.as_view(), name="calendar"),
    path(C + "applications/", views.ApplicationListView.as_view(), name="application-list"),
    path(
        C + "applications/create/",
        views.ApplicationCreateView.as_view(),
        name="application-create",
    ),
    path(
        C + "applications/<int:pk>/",
        views.ApplicationDetailView.as_view(),
        name="application-detail",
    ),
    path(
        C + "applications/<int:pk>/export.<str:fmt>",
        views.ApplicationExportView.as_view(),
        name="application-export",
    ),
    path(
        C + "applications/<int:pk>/documents/<int:doc>/",
        views.ApplicationDocumentView.as_view(),
        name="application-document",
    ),
    path(
        C + "applications/<int:pk>/tasks/<int:task>/toggle/",
        views.ApplicationTaskToggleView.as_view(),
        name="application-task-toggle",
    ),
    path(C + "manage/calls/", views.ManageView.as_view(), name="manage"),
    path(C + "manage/calls/create/", views.CallCreateView.as_view(), name="call-create"),
    path(C + "manage/calls/<int:pk>/update/", views.CallUpdateView.as_view(), name="call-update"),
    path(C + "manage/calls/<int:pk>/live/", views.CallLiveView.as_view(), name="call-live"),
    path(C + "manage/calls/duplicates/", views.DuplicatesView.as_view(), name="duplicates"),
    path(C + "manage/calls/sources/", views.SourcesView.as_view(), name="sources"),
    path(C + "manage/calls/recompute/", views.RecomputeView.as_view(), name="recompute"),
]

from django.urls import path

from grappe.insights import views

app_name = "insights"

C = "c/<slug:cluster_slug>/"

urlpatterns = [
    path(C + "manage/radar/", views.RadarView.as_view(), name="radar"),
    path(C + "manage/radar/run/", views.RadarRunView.as_view(), name="radar-run"),
    path(C + "manage/radar/themes/<int:pk>/", views.RadarThemeView.as_view(), name="radar-theme"),
    path(C + "surveys/", views.SurveyListView.as_view(), name="survey-list"),
    path(C + "surveys/<int:pk>/", views.SurveyAnswerView.as_view(), name="survey-answer"),
    path(C + "surveys/<int:pk>/update/", views.SurveyEditView.as_view(), name="survey-edit"),
    path(C + "surveys/<int:pk>/results/", views.SurveyResultsView.as_view(), name="survey-results"),
    path(C + "indicators/", views.DashboardView.as_view(), name="dashboard"),
    path(C + "indicators/refresh/", views.SnapshotsRefreshView.as_view(), name="snapshots-refresh"),
    path(C + "indicators/dossier/", views.DossierView.as_view(), name="dossier"),
    path(
        C + "indicators/dossier/<int:year>.<str:fmt>",
        views.DossierFileView.as_view(),
        name="dossier-file",
    ),
]

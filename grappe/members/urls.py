from django.urls import path

from grappe.members import views

app_name = "members"

C = "c/<slug:cluster_slug>/"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path(C, views.ClusterHomeView.as_view(), name="cluster-home"),
    path(C + "directory/", views.DirectoryView.as_view(), name="directory"),
    path(C + "directory/map/", views.MapView.as_view(), name="map"),
    path(C + "directory/map.geojson", views.MapDataView.as_view(), name="map-data"),
    path(
        C + "organisations/<slug:slug>/",
        views.OrganisationPublicView.as_view(),
        name="organisation-public",
    ),
    path(
        C + "organisations/<slug:slug>/update/",
        views.OrganisationEditView.as_view(),
        name="organisation-edit",
    ),
    path(C + "people/<int:pk>/update/", views.PersonEditView.as_view(), name="person-edit"),
    path(C + "posts/", views.PostListView.as_view(), name="post-list"),
    path(C + "posts/<int:pk>/close/", views.PostCloseView.as_view(), name="post-close"),
    path(C + "join/", views.JoinRequestCreateView.as_view(), name="join-request-create"),
    path(C + "invitations/", views.InvitationListView.as_view(), name="invitation-list"),
    path(
        C + "manage/join-requests/", views.JoinRequestListView.as_view(), name="join-request-list"
    ),
    path(
        C + "manage/join-requests/<int:pk>/",
        views.JoinRequestDetailView.as_view(),
        name="join-request-detail",
    ),
    path(
        C + "manage/join-requests/<int:pk>/attachment/",
        views.JoinRequestAttachmentView.as_view(),
        name="join-request-attachment",
    ),
    path(
        C + "manage/prospects/<int:pk>/invite/",
        views.ProspectInviteView.as_view(),
        name="prospect-invite",
    ),
    path(C + "manage/memberships/", views.MembershipListView.as_view(), name="membership-list"),
    path(
        C + "manage/memberships/<int:pk>/",
        views.MembershipDetailView.as_view(),
        name="membership-detail",
    ),
    path(
        C + "manage/memberships/import/",
        views.MembersImportView.as_view(),
        name="membership-import",
    ),
    path(
        C + "manage/memberships/export.<str:fmt>",
        views.MembersExportView.as_view(),
        name="membership-export",
    ),
    path(C + "manage/prospects/", views.ProspectListView.as_view(), name="prospect-list"),
    path(
        C + "manage/prospects/<int:pk>/update/",
        views.ProspectUpdateView.as_view(),
        name="prospect-update",
    ),
    path(
        "invitations/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation-accept"
    ),
]

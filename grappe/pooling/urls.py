from django.urls import path

from grappe.pooling.views import employees, pools, resources, studies

app_name = "pooling"

C = "c/<slug:cluster_slug>/pooling/"
M = "c/<slug:cluster_slug>/manage/pooling/"

urlpatterns = [
    # Members: dashboard, resources, bookings, waitlist, feeds
    path(C, resources.DashboardView.as_view(), name="dashboard"),
    path(C + "resources/", resources.ResourceListView.as_view(), name="resource-list"),
    path(C + "resources/<int:pk>/", resources.ResourceDetailView.as_view(), name="resource-detail"),
    path(
        C + "resources/<int:pk>/book/", resources.BookingCreateView.as_view(), name="booking-create"
    ),
    path(
        C + "resources/<int:pk>/waitlist/",
        resources.WaitlistJoinView.as_view(),
        name="waitlist-join",
    ),
    path(
        C + "bookings/<int:pk>/cancel/",
        resources.BookingCancelView.as_view(),
        name="booking-cancel",
    ),
    path(
        C + "waitlist/<int:pk>/withdraw/",
        resources.WaitlistWithdrawView.as_view(),
        name="waitlist-withdraw",
    ),
    path(
        C + "feeds/bookings/<str:token>.ics", resources.OrganisationFeedView.as_view(), name="feed"
    ),
    path(
        C + "feeds/resource/<str:token>.ics",
        resources.ResourceFeedView.as_view(),
        name="resource-feed",
    ),
    # Shared employees
    path(C + "employees/", employees.EmployeeListView.as_view(), name="employee-list"),
    path(C + "employees/<int:pk>/", employees.EmployeeDetailView.as_view(), name="employee-detail"),
    path(C + "employees/<int:pk>/timelog/", employees.TimeLogAddView.as_view(), name="timelog-add"),
    path(
        C + "timelogs/<int:pk>/delete/",
        employees.TimeLogDeleteView.as_view(),
        name="timelog-delete",
    ),
    path(
        C + "hours/<int:pk>/cancel/",
        employees.HoursRequestCancelView.as_view(),
        name="hours-cancel",
    ),
    # Studies and group purchases
    path(C + "studies/", studies.StudyListView.as_view(), name="study-list"),
    path(C + "studies/create/", studies.StudyCreateView.as_view(), name="study-create"),
    path(C + "studies/<int:pk>/", studies.StudyDetailView.as_view(), name="study-detail"),
    path(C + "studies/<int:pk>/pledge/", studies.PledgeView.as_view(), name="pledge"),
    path(
        C + "studies/<int:pk>/withdraw/",
        studies.PledgeWithdrawView.as_view(),
        name="pledge-withdraw",
    ),
    path(
        C + "studies/<int:pk>/documents/<int:document_pk>/",
        studies.StudyDocumentView.as_view(),
        name="study-document",
    ),
    # Managers
    path(M + "resources/", resources.ResourceManageView.as_view(), name="resource-manage"),
    path(M + "resources/create/", resources.ResourceFormView.as_view(), name="resource-create"),
    path(
        M + "resources/<int:pk>/update/",
        resources.ResourceFormView.as_view(),
        name="resource-update",
    ),
    path(
        M + "resources/<int:pk>/closures/", resources.ClosureAddView.as_view(), name="closure-add"
    ),
    path(
        M + "closures/<int:pk>/delete/",
        resources.ClosureDeleteView.as_view(),
        name="closure-delete",
    ),
    path(M + "occupancy/", resources.OccupancyView.as_view(), name="occupancy"),
    path(M + "pools/", pools.PoolListView.as_view(), name="pool-list"),
    path(M + "pools/create/", pools.PoolFormView.as_view(), name="pool-create"),
    path(M + "pools/<int:pk>/", pools.PoolDetailView.as_view(), name="pool-detail"),
    path(M + "pools/<int:pk>/update/", pools.PoolFormView.as_view(), name="pool-update"),
    path(
        M + "pools/<int:pk>/participants/",
        pools.ParticipationAddView.as_view(),
        name="participation-add",
    ),
    path(M + "pools/<int:pk>/shares/", pools.CustomSharesView.as_view(), name="custom-shares"),
    path(
        M + "participations/<int:pk>/update/",
        pools.ParticipationUpdateView.as_view(),
        name="participation-update",
    ),
    path(M + "employees/", employees.EmployeeManageView.as_view(), name="employee-manage"),
    path(M + "employees/create/", employees.EmployeeFormView.as_view(), name="employee-create"),
    path(
        M + "employees/<int:pk>/update/",
        employees.EmployeeFormView.as_view(),
        name="employee-update",
    ),
    path(
        M + "hours/<int:pk>/decide/",
        employees.HoursRequestDecideView.as_view(),
        name="hours-decide",
    ),
    path(M + "needs/", employees.StaffNeedCreateView.as_view(), name="staff-need-create"),
    path(
        M + "needs/<int:pk>/delete/",
        employees.StaffNeedDeleteView.as_view(),
        name="staff-need-delete",
    ),
    path(M + "studies/<int:pk>/update/", studies.StudyUpdateView.as_view(), name="study-update"),
    path(
        M + "studies/<int:pk>/<str:action>/",
        studies.StudyActionView.as_view(),
        name="study-action",
    ),
]

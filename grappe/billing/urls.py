from django.urls import path

from grappe.billing import views

app_name = "billing"

C = "c/<slug:cluster_slug>/"

urlpatterns = [
    path(C + "billing/", views.BillingHomeView.as_view(), name="home"),
    path(
        C + "billing/invoices/<int:pk>/",
        views.InvoiceDetailView.as_view(),
        name="invoice-detail",
    ),
    path(C + "billing/invoices/<int:pk>/pdf/", views.InvoicePdfView.as_view(), name="invoice-pdf"),
    path(
        C + "billing/invoices/<int:pk>/factur-x.xml",
        views.InvoiceXmlView.as_view(),
        name="invoice-xml",
    ),
    path(C + "billing/accounts/<slug:slug>/", views.AccountView.as_view(), name="account"),
    path(C + "manage/billing/", views.ManageView.as_view(), name="manage"),
    path(C + "manage/billing/export.csv", views.ExportView.as_view(), name="export"),
    path(C + "manage/billing/payments/", views.PaymentListView.as_view(), name="payment-list"),
    path(C + "manage/billing/balances/", views.BalanceListView.as_view(), name="balance-list"),
    path(C + "manage/billing/savings/", views.SavingsReportView.as_view(), name="savings"),
    path(C + "manage/billing/settings/", views.ProfileView.as_view(), name="profile"),
    path(
        C + "manage/billing/accounts/<slug:slug>/charges/",
        views.ChargeCreateView.as_view(),
        name="charge-create",
    ),
    path(
        C + "manage/billing/invoices/<int:pk>/credit-note/",
        views.CreditNoteCreateView.as_view(),
        name="credit-note-create",
    ),
]

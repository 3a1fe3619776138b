from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "grappe.billing"
    label = "billing"
    verbose_name = _("Facturation")

    def ready(self) -> None:
        from grappe.billing import demo as billing_demo
        from grappe.billing import indicators as billing_indicators
        from grappe.core import demo, jobs
        from grappe.core.indicators import register_indicator
        from grappe.core.navigation import NavLink, register_nav

        for link in (
            NavLink(_("Mes factures"), "billing:home", "member", order=60),
            NavLink(_("Facturation"), "billing:manage", "manager", 50, "manage"),
        ):
            register_nav(link)
        jobs.register_schedule(
            jobs.ScheduledJob(
                name="billing.invoice_reminders",
                func="grappe.billing.tasks.send_invoice_reminders",
                cron="30 7 * * *",
            )
        )
        demo.register_seeder(demo.Seeder(name="billing", order=40, seed=billing_demo.seed))
        register_indicator(
            "billing.savings",
            _("Économies des membres grâce à la mutualisation"),
            billing_indicators.savings_in_month,
            family="services",
            unit="€",
            order=40,
        )
        register_indicator(
            "billing.charged",
            _("Montants facturés aux membres (HT)"),
            billing_indicators.charged_in_month,
            family="services",
            unit="€",
            order=50,
        )

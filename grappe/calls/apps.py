from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "grappe.calls"
    label = "calls"
    verbose_name = _("Veille des appels")

    def ready(self) -> None:
        from grappe.calls import demo as calls_demo
        from grappe.calls import indicators as calls_indicators
        from grappe.calls import selectors, services
        from grappe.core import demo, jobs, privacy
        from grappe.core.indicators import register_indicator
        from grappe.core.navigation import NavLink, register_nav

        for link in (
            NavLink(_("Appels à projets"), "calls:call-list", "public", order=40),
            NavLink(_("Mes appels"), "calls:match-list", "member", order=41),
            NavLink(_("Candidatures"), "calls:application-list", "insider", order=42),
            NavLink(_("Veille des appels"), "calls:manage", "manager", 50, "manage"),
        ):
            register_nav(link)
        for name, cron in (
            ("read_sources", "30 5 * * *"),
            ("recompute_all_matches", "0 6 * * *"),
            ("send_alerts_immediate", "*/15 * * * *"),
            ("send_alerts_daily", "0 7 * * *"),
            ("send_alerts_weekly", "0 7 * * 1"),
        ):
            jobs.register_schedule(
                jobs.ScheduledJob(
                    name=f"calls.{name}", func=f"grappe.calls.tasks.{name}", cron=cron
                )
            )
        demo.register_seeder(demo.Seeder(name="calls", order=50, seed=calls_demo.seed))
        register_indicator(
            "calls.funding_obtained",
            _("Financements obtenus"),
            calls_indicators.funding_obtained_in_month,
            family="funding",
            unit="€",
            rollup="sum",
            order=10,
        )
        register_indicator(
            "calls.applications_submitted",
            _("Candidatures déposées"),
            calls_indicators.applications_submitted_in_month,
            family="funding",
            rollup="sum",
            order=20,
        )
        register_indicator(
            "calls.signalled",
            _("Appels signalés aux membres"),
            calls_indicators.calls_signalled_in_month,
            family="funding",
            rollup="sum",
            order=5,
        )
        register_indicator(
            "calls.applications_decided",
            _("Candidatures décidées"),
            calls_indicators.applications_decided_in_month,
            family="funding",
            rollup="sum",
            order=30,
        )
        privacy.register(
            privacy.PersonalDataSource(
                name="calls",
                export=selectors.personal_data_for_user,
                erase=services.personal_data_erase,
            )
        )

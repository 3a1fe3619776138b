from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PoolingConfig(AppConfig):
    name = "grappe.pooling"
    label = "pooling"
    verbose_name = _("Mutualisation")

    def ready(self) -> None:
        from grappe.core import charges, demo, jobs, privacy, texts
        from grappe.core.navigation import NavLink, register_nav
        from grappe.pooling import charges as pooling_charges
        from grappe.pooling import guard

        post_migrate.connect(guard.ensure_sqlite_triggers, sender=self)
        self._register_indicators()
        from grappe.pooling import texts as pooling_texts

        texts.register_text_source(
            "pooling.refused_bookings",
            pooling_texts.refused_booking_notes,
            _("notes des réservations refusées faute de place"),
        )
        charges.register_charge_source("bookings", pooling_charges.booking_charges)
        charges.register_charge_source("cost_pools", pooling_charges.cost_pool_charges)
        charges.register_charge_source("shared_employees", pooling_charges.shared_employee_charges)
        charges.register_charge_source("studies", pooling_charges.study_charges)
        for link in (
            NavLink(_("Mutualisation"), "pooling:dashboard", "member", order=40),
            NavLink(_("Ressources partagées"), "pooling:resource-manage", "manager", 50, "manage"),
            NavLink(_("Occupation"), "pooling:occupancy", "staff", 51, "manage"),
            NavLink(_("Pools de coûts"), "pooling:pool-list", "manager", 52, "manage"),
            NavLink(_("Salariés partagés"), "pooling:employee-manage", "manager", 53, "manage"),
            NavLink(_("Études et achats groupés"), "pooling:study-list", "manager", 54, "manage"),
        ):
            register_nav(link)
        jobs.register_schedule(
            jobs.ScheduledJob(
                name="pooling.close_due_studies",
                func="grappe.pooling.tasks.close_due_studies",
                cron="15 6 * * *",
            )
        )
        from grappe.pooling import demo as pooling_demo
        from grappe.pooling import selectors, services

        demo.register_seeder(demo.Seeder(name="pooling", order=30, seed=pooling_demo.seed))
        privacy.register(
            privacy.PersonalDataSource(
                name="pooling",
                export=selectors.personal_data_for_user,
                erase=services.personal_data_erase,
            )
        )

    def _register_indicators(self) -> None:
        from grappe.core.indicators import register_activity_source, register_indicator
        from grappe.pooling import indicators

        register_indicator(
            "pooling.services",
            _("Services mutualisés en place"),
            indicators.services_in_place,
            family="services",
            rollup="last",
            order=5,
        )
        register_indicator(
            "pooling.booked_hours",
            _("Heures de réservation des ressources partagées"),
            indicators.booked_hours_by_kind,
            family="services",
            unit="h",
            usage=True,
            order=10,
        )
        register_indicator(
            "pooling.shared_hours",
            _("Heures des salariés partagés"),
            indicators.shared_hours_by_trade,
            family="services",
            unit="h",
            usage=True,
            order=20,
        )
        register_indicator(
            "pooling.firms_using",
            _("Structures utilisant un service mutualisé"),
            indicators.firms_using_pooled_services,
            family="services",
            rollup="mean",
            order=30,
        )
        register_indicator(
            "pooling.unmet_hours",
            _("Heures demandées mais refusées faute de place"),
            indicators.unmet_hours_by_kind,
            family="services",
            unit="h",
            order=15,
        )
        register_activity_source("pooling.bookings", indicators.booking_activity)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "grappe.members"
    label = "members"
    verbose_name = _("Membres")

    def ready(self) -> None:
        from grappe.core import access, demo, jobs, privacy
        from grappe.members import demo as members_demo
        from grappe.members import selectors, services

        demo.register_seeder(
            demo.Seeder(
                name="members", order=10, seed=members_demo.seed, generate=members_demo.generate
            )
        )
        jobs.register_schedule(
            jobs.ScheduledJob(
                name="members.renewal_reminders",
                func="grappe.members.tasks.send_renewal_reminders",
                cron="0 7 * * *",
            )
        )
        access.register_affiliation_provider(selectors.organisation_ids_for_user)
        privacy.register(
            privacy.PersonalDataSource(
                name="members",
                export=selectors.personal_data_for_user,
                erase=services.personal_data_erase,
            )
        )

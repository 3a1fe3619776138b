from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "grappe.members"
    label = "members"
    verbose_name = _("Membres")

    def ready(self) -> None:
        from grappe.core import access, charges, demo, jobs, privacy
        from grappe.core.navigation import NavLink, register_nav
        from grappe.members import demo as members_demo
        from grappe.members import selectors, services
        from grappe.members.charges import membership_fee_charges

        charges.register_charge_source("membership_fee", membership_fee_charges)
        for link in (
            NavLink(_("Accueil"), "members:cluster-home", "public", order=0),
            NavLink(_("Annuaire"), "members:directory", "public", order=10),
            NavLink(_("Carte"), "members:map", "public", order=20),
            NavLink(_("Besoins et offres"), "members:post-list", "insider", order=30),
            NavLink(_("Demandes d'adhésion"), "members:join-request-list", "manager", 10, "manage"),
            NavLink(_("Adhésions"), "members:membership-list", "manager", 20, "manage"),
            NavLink(_("Prospects"), "members:prospect-list", "manager", 30, "manage"),
            NavLink(_("Invitations"), "members:invitation-list", "manager", 40, "manage"),
        ):
            register_nav(link)
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

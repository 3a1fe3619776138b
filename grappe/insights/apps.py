from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "grappe.insights"
    label = "insights"
    verbose_name = _("Analyses")

    def ready(self) -> None:
        from grappe.core import demo, indicators, jobs, privacy, texts
        from grappe.core.navigation import NavLink, register_nav
        from grappe.insights import demo as insights_demo
        from grappe.insights import selectors, sources
        from grappe.insights.indicators import register_all

        texts.register_text_source(
            "members.posts", sources.member_posts, _("besoins et offres des membres")
        )
        texts.register_text_source(
            "insights.surveys", sources.survey_answers, _("réponses libres aux questionnaires")
        )
        indicators.register_activity_source("members.logins", sources.member_logins)
        indicators.register_activity_source("members.posts", sources.member_posting)
        indicators.register_activity_source("insights.surveys", sources.survey_answering)
        register_all()
        for link in (
            NavLink(_("Questionnaires"), "insights:survey-list", "insider", order=60),
            NavLink(_("Indicateurs"), "insights:dashboard", "staff", order=70),
            NavLink(_("Radar des besoins"), "insights:radar", "manager", 50, "manage"),
            NavLink(_("Dossier financeurs"), "insights:dossier", "manager", 60, "manage"),
        ):
            register_nav(link)
        jobs.register_schedule(
            jobs.ScheduledJob(
                name="insights.radar_weekly",
                func="grappe.insights.tasks.radar_weekly",
                cron="0 4 * * 1",
            )
        )
        jobs.register_schedule(
            jobs.ScheduledJob(
                name="insights.snapshots_monthly",
                func="grappe.insights.tasks.snapshots_monthly",
                cron="30 3 1 * *",
            )
        )
        demo.register_seeder(demo.Seeder(name="insights", order=60, seed=insights_demo.seed))
        privacy.register(
            privacy.PersonalDataSource(
                name="insights",
                export=selectors.personal_data_for_user,
                erase=selectors.personal_data_erase,
            )
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "grappe.core"
    label = "core"
    verbose_name = _("Socle")

    def ready(self) -> None:
        from grappe.core.navigation import NavLink, register_nav

        register_nav(NavLink(_("Paramètres"), "core:cluster-settings", "manager", 90, "manage"))
        register_nav(NavLink(_("Journal"), "core:audit-log", "manager", 95, "manage"))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoolingConfig(AppConfig):
    name = "grappe.pooling"
    label = "pooling"
    verbose_name = _("Mutualisation")

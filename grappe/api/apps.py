from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "grappe.api"
    label = "api"
    verbose_name = "API"

from django.contrib import admin

from grappe.territory.models import Commune, Establishment


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "department", "region"]
    search_fields = ["code", "name"]
    list_filter = ["kind", "region"]


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin):
    list_display = ["siret", "name", "naf_code", "commune_code", "is_active"]
    search_fields = ["siret", "name"]
    list_filter = ["is_active", "naf_code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

from django.contrib import admin

from comuni.admin import ComuneScopedAdmin

from .models import Notifica


@admin.register(Notifica)
class NotificaAdmin(ComuneScopedAdmin):
    list_display = ["creata_il", "user", "consumatore", "titolo", "letta", "email_inviata_il"]
    list_filter = ["letta"]
    search_fields = ["titolo", "user__email"]
    list_select_related = ["user", "consumatore"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

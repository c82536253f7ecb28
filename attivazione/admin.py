"""The admin's side of the switch-over: the new comune's one form, and the registry import's pages."""

from __future__ import annotations

from django.contrib import admin

from comuni.admin import ComuneAdmin
from comuni.models import Comune

from .comune import CAMPI, ComuneNuovoForm, comune_create


class ComuneAttivazioneAdmin(ComuneAdmin):
    """"Aggiungi comune" is one form: identity, logo, contacts and (optionally) the office account."""

    add_fieldsets = [(None, {"fields": CAMPI + ["ufficio_email"]})]

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ComuneNuovoForm
            kwargs["fields"] = CAMPI + ["ufficio_email"]
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        form.instance = obj
        comune_create(form=form)


admin.site.unregister(Comune)
admin.site.register(Comune, ComuneAttivazioneAdmin)

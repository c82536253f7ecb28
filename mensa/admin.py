from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from comuni.admin import ComuneScopedAdmin

from .debiti import sospensione_revoke
from .models import (
    Assenza,
    Calendario,
    CalendarioScuola,
    Chiusura,
    IscrizioneMensa,
    Presenza,
    PrezzoTariffa,
    Sospensione,
    Tariffa,
)


class _InlineComuneMixin:
    """Inline rows take the comune of their parent."""

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            inline_form.instance.comune = form.instance.comune
        super().save_formset(request, form, formset, change)


class CalendarioScuolaInline(admin.TabularInline):
    model = CalendarioScuola
    extra = 0
    exclude = ["comune"]


@admin.register(Calendario)
class CalendarioAdmin(_InlineComuneMixin, ComuneScopedAdmin):
    list_display = ["anno_scolastico", "santo_patrono", "festa_patronale"]
    inlines = [CalendarioScuolaInline]


@admin.register(Chiusura)
class ChiusuraAdmin(ComuneScopedAdmin):
    list_display = ["motivo", "data_inizio", "data_fine", "scuola", "classe"]
    list_filter = ["scuola"]
    date_hierarchy = "data_inizio"


class PrezzoTariffaInline(admin.TabularInline):
    model = PrezzoTariffa
    extra = 0
    exclude = ["comune"]


@admin.register(Tariffa)
class TariffaAdmin(_InlineComuneMixin, ComuneScopedAdmin):
    list_display = ["nome", "isee_da", "isee_a", "riduzione_fratelli", "esenzione"]
    inlines = [PrezzoTariffaInline]


@admin.register(IscrizioneMensa)
class IscrizioneMensaAdmin(ComuneScopedAdmin):
    list_display = ["consumatore", "tariffa", "data_inizio", "data_fine"]
    list_filter = ["tariffa"]
    search_fields = ["consumatore__cognome", "consumatore__nome", "consumatore__codice_fiscale"]
    list_select_related = ["consumatore", "tariffa"]
    autocomplete_fields = ["consumatore"]


@admin.register(Assenza)
class AssenzaAdmin(ComuneScopedAdmin):
    list_display = ["giorno", "consumatore", "registrata_il", "registrata_da", "annullata_il"]
    date_hierarchy = "giorno"
    search_fields = ["consumatore__cognome", "consumatore__nome"]
    list_select_related = ["consumatore", "registrata_da"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Presenza)
class PresenzaAdmin(AssenzaAdmin):
    list_display = ["giorno", "consumatore", "presente", "registrata_il", "registrata_da"]


@admin.register(Sospensione)
class SospensioneAdmin(ComuneScopedAdmin):
    """Staff lift a suspension by writing the reason; the rest is read-only."""

    list_display = ["consumatore", "dal", "al", "saldo", "revocata_il", "revocata_da"]
    list_filter = ["al"]
    list_select_related = ["consumatore", "revocata_da"]
    readonly_fields = ["consumatore", "dal", "al", "saldo", "episodio", "revocata_il", "revocata_da"]
    fields = ["consumatore", "dal", "al", "saldo", "episodio", "motivo_revoca", "revocata_il", "revocata_da"]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if obj.revocata_il is None and obj.motivo_revoca.strip():
            try:
                sospensione_revoke(sospensione=obj, revocata_da=request.user, motivo=obj.motivo_revoca)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        else:
            messages.info(request, "Per revocare la sospensione indica il motivo.")


from .menu import admin as _menu_admin  # noqa: E402, F401 - registers the menu and diet admins

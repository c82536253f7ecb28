"""Admin for linking: staff issue one-time codes and decide "richiedi associazione" requests."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from comuni.admin import ComuneScopedAdmin, DecisioneForm

from .linking import codice_collegamento_create, richiesta_associazione_decide
from .models import CodiceCollegamento, RichiestaAssociazione, StatoAssociazione, Tutore

CODE_SHOWN_ONCE = _(
    "Codice di collegamento per %(tutore)s: %(codice)s – valido fino al %(scadenza)s. Stampalo o invialo ora: "
    "non sarà più mostrato."
)


class CodiceCollegamentoForm(forms.ModelForm):
    # The queryset is set per request: a scoped manager cannot be queried at import time.
    tutore = forms.ModelChoiceField(label=_("Tutore"), queryset=None)

    class Meta:
        model = CodiceCollegamento
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tutore"].queryset = Tutore.objects.select_related("consumatore").order_by("cognome", "nome")


@admin.register(CodiceCollegamento)
class CodiceCollegamentoAdmin(ComuneScopedAdmin):
    """A new code is generated on save and shown once; only its hash is stored."""

    form = CodiceCollegamentoForm
    list_display = ["tutore", "creato_il", "scade_il", "usato_il", "usato_da"]
    list_select_related = ["tutore__consumatore", "usato_da"]
    list_filter = ["usato_il"]
    search_fields = ["tutore__cognome", "tutore__nome", "tutore__consumatore__cognome"]
    readonly_fields = ["scade_il", "usato_il", "usato_da", "creato_da", "creato_il"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        row, code = codice_collegamento_create(tutore=form.cleaned_data["tutore"], creato_da=request.user)
        # The admin logs and redirects with the form's instance: make it the saved row.
        obj.pk, obj.tutore, obj.impronta, obj.scade_il, obj.creato_il = (
            row.pk, row.tutore, row.impronta, row.scade_il, row.creato_il
        )
        messages.warning(
            request,
            format_html(
                "{}", CODE_SHOWN_ONCE % {"tutore": row.tutore, "codice": code, "scadenza": f"{row.scade_il:%d/%m/%Y}"}
            ),
        )

    def response_add(self, request, obj, post_url_continue=None):
        from django.shortcuts import redirect

        return redirect("admin:consumatori_codicecollegamento_changelist")


class DecisioneAssociazioneForm(DecisioneForm):
    class Meta(DecisioneForm.Meta):
        model = RichiestaAssociazione


@admin.register(RichiestaAssociazione)
class RichiestaAssociazioneAdmin(ComuneScopedAdmin):
    """"Richiedi associazione": staff accept (the account gets the child) or refuse, with a reason."""

    form = DecisioneAssociazioneForm
    list_display = ["utente", "codice_fiscale_consumatore", "relazione", "creata_il", "stato", "deciso_da"]
    list_filter = ["stato"]
    list_select_related = ["utente", "deciso_da"]
    base_readonly = ["utente", "codice_fiscale_consumatore", "relazione", "messaggio", "creata_il", "stato",
                     "deciso_da", "deciso_il"]

    def has_add_permission(self, request) -> bool:
        return False

    def get_fields(self, request, obj=None):
        if obj is not None and obj.stato == StatoAssociazione.IN_ATTESA:
            return ["utente", "codice_fiscale_consumatore", "relazione", "messaggio", "creata_il", "decisione",
                    "motivazione"]
        return [*self.base_readonly, "motivazione"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.stato != StatoAssociazione.IN_ATTESA:
            return [*self.base_readonly, "motivazione"]
        return self.base_readonly

    def save_model(self, request, obj, form, change):
        try:
            richiesta_associazione_decide(
                richiesta=obj, staff=request.user, accolta=form.cleaned_data["decisione"] == "accogli",
                motivazione=form.cleaned_data["motivazione"],
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])

"""Family pages for linking children: the one-time code and "richiedi associazione"."""

from __future__ import annotations

from allauth.core import ratelimit
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from comuni.access import family_login_required
from comuni.models import TipoEvento
from comuni.services import evento_accesso_register
from comuni.validators import validate_codice_fiscale

from .linking import (
    LINK_CODE_LOCKED,
    codice_collegamento_redeem,
    richiesta_associazione_create,
    richieste_of_family,
)
from .models import Relazione

LINKED_MESSAGE = _("Fatto: %(nome)s è ora collegato al tuo account.")
REQUEST_SENT_MESSAGE = _("Richiesta inviata: l'ufficio scuola la esaminerà e riceverai la risposta qui.")


class CodiceForm(forms.Form):
    codice = forms.CharField(label=_("Codice di collegamento"), max_length=20)


class RichiestaForm(forms.Form):
    codice_fiscale_consumatore = forms.CharField(
        label=_("Codice fiscale dell'alunno"), max_length=16, validators=[validate_codice_fiscale]
    )
    relazione = forms.ChoiceField(label=_("Sei"), choices=Relazione.choices)
    messaggio = forms.CharField(
        label=_("Messaggio per l'ufficio scuola (facoltativo)"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@family_login_required
def collega(request: HttpRequest, comune: str) -> HttpResponse:
    codice_form = CodiceForm(prefix="c")
    richiesta_form = RichiestaForm(prefix="r")
    if request.method == "POST" and request.POST.get("azione") == "codice":
        codice_form = CodiceForm(request.POST, prefix="c")
        if not ratelimit.consume(request, action="link_code", user=request.user):
            evento_accesso_register(
                tipo=TipoEvento.BLOCCO, request=request, user=request.user, dettaglio="codice di collegamento"
            )
            codice_form.is_valid()
            codice_form.add_error(None, LINK_CODE_LOCKED)
        elif codice_form.is_valid():
            try:
                tutore = codice_collegamento_redeem(
                    comune=request.comune, user=request.user, code=codice_form.cleaned_data["codice"]
                )
            except ValidationError as error:
                evento_accesso_register(tipo=TipoEvento.CODICE_ERRATO, request=request, user=request.user)
                codice_form.add_error("codice", error)
            else:
                evento_accesso_register(
                    tipo=TipoEvento.COLLEGAMENTO, request=request, user=request.user, dettaglio="codice"
                )
                messages.success(request, LINKED_MESSAGE % {"nome": tutore.consumatore.nome_completo})
                return redirect("cittadino:home", comune=request.comune.slug)
    elif request.method == "POST" and request.POST.get("azione") == "richiesta":
        richiesta_form = RichiestaForm(request.POST, prefix="r")
        if richiesta_form.is_valid():
            try:
                richiesta_associazione_create(comune=request.comune, user=request.user, **richiesta_form.cleaned_data)
            except ValidationError as error:
                richiesta_form.add_error("codice_fiscale_consumatore", error)
            else:
                messages.success(request, REQUEST_SENT_MESSAGE)
                return redirect("collegamento:collega", comune=request.comune.slug)
    context = {
        "codice_form": codice_form,
        "richiesta_form": richiesta_form,
        "richieste": list(richieste_of_family(user=request.user)),
    }
    return render(request, "consumatori/collega.html", context)

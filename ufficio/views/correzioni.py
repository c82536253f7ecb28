"""Corrections of attendance: the office for any day of the month, operators for the last school days."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comuni.access import operatore_required
from comuni.models import Ruolo
from consumatori.models import Consumatore
from mensa.selectors import scuole_ids_of

from ..correzioni import GIORNI_OPERATORE, correzione_register
from ..forms import CercaConsumatoreForm, CorrezioneForm
from ..models import CorrezionePasto

RISULTATI = 20


def _scope_of(request: HttpRequest) -> None:
    """An operator corrects only the last school days of its schools; the office any day of any school."""
    request.operatore = request.incarico.ruolo == Ruolo.OPERATORE_MENSA
    request.scuole_ids = scuole_ids_of(request.incarico)


def _consumatori(request: HttpRequest):
    qs = Consumatore.objects.filter(attivo=True).select_related("classe__scuola")
    if request.scuole_ids is not None:
        qs = qs.filter(classe__scuola_id__in=request.scuole_ids)
    return qs


@operatore_required
def correzioni(request: HttpRequest, comune: str) -> HttpResponse:
    _scope_of(request)
    cerca = CercaConsumatoreForm(request.GET)
    trovati = []
    if cerca.is_valid() and cerca.cleaned_data["q"]:
        q = cerca.cleaned_data["q"].strip()
        trovati = list(
            _consumatori(request).filter(Q(cognome__istartswith=q) | Q(nome__istartswith=q) |
                                         Q(codice_fiscale__iexact=q)).order_by("cognome", "nome")[:RISULTATI]
        )
    registro = CorrezionePasto.objects.select_related("consumatore", "registrata_da", "movimento")
    if request.scuole_ids is not None:
        registro = registro.filter(consumatore__classe__scuola_id__in=request.scuole_ids)
    return render(request, "ufficio/correzioni.html", {
        "cerca": cerca, "trovati": trovati, "form": CorrezioneForm(), "registro": registro[:30],
        "operatore": request.operatore, "giorni_operatore": GIORNI_OPERATORE,
    }, status=200 if cerca.is_valid() else 400)


@require_POST
@operatore_required
def correzione_nuova(request: HttpRequest, comune: str) -> HttpResponse:
    _scope_of(request)
    form = CorrezioneForm(request.POST)
    back = reverse("ufficio:correzioni", kwargs={"comune": comune})
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label or _("Consumatore")
            messages.error(request, f"{label}: {' '.join(errors)}")
        return redirect(back)
    consumatore = _consumatori(request).select_related("comune").filter(pk=form.cleaned_data["consumatore"]).first()
    if consumatore is None:
        raise Http404
    try:
        correzione = correzione_register(
            consumatore=consumatore, giorno=form.cleaned_data["giorno"], presente=form.cleaned_data["presente"],
            motivo=form.cleaned_data["motivo"], registrata_da=request.user, solo_ultimi_giorni=request.operatore,
        )
    except ValidationError as error:
        for name, errors in error.message_dict.items():
            label = form.fields[name].label if name in form.fields else name
            messages.error(request, f"{label}: {' '.join(errors)}")
        return redirect(f"{back}?q={consumatore.cognome}")
    esito = _("presente") if correzione.presente else _("assente")
    messages.success(request, _("Registrato: %(nome)s %(esito)s il %(giorno)s.") % {
        "nome": consumatore.nome_completo, "esito": esito, "giorno": correzione.giorno.strftime("%d/%m/%Y")})
    return redirect(f"{back}?q={consumatore.cognome}")

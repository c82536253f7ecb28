"""Menu pages: the "pasto in bianco" of a family (inside Dettaglio), the public menu and its PDF."""

from __future__ import annotations

import calendar
import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comuni.access import family_login_required
from consumatori.models import TipoScuola

from ..forms import GiornoForm
from ..selectors import oggi
from ..views import _error_text, _own_consumatore, _respond
from .in_bianco import pasto_in_bianco_create, pasto_in_bianco_withdraw
from .pdf import menu_mese_pdf_bytes
from .selectors import legenda_allergeni, menu_pubblico, settimana_di


@require_POST
@family_login_required
def in_bianco_nuovo(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    consumatore = _own_consumatore(request, pk)
    form = GiornoForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Giorno: indica una data valida (gg/mm/aaaa)."))
        return _respond(request, consumatore, oggi().replace(day=1))
    giorno = form.cleaned_data["giorno"]
    try:
        pasto = pasto_in_bianco_create(consumatore=consumatore, giorno=giorno, registrato_da=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if pasto is None:
            messages.info(request, _("Il pasto in bianco era già richiesto: nulla da cambiare."))
        else:
            messages.success(request, _(
                "Pasto in bianco richiesto per %(nome)s il %(giorno)s. Registrato il %(quando)s da %(chi)s. "
                "Ti abbiamo inviato una conferma per e-mail."
            ) % {"nome": consumatore.nome, "giorno": giorno.strftime("%d/%m/%Y"),
                 "quando": timezone.localtime(pasto.registrato_il).strftime("%d/%m/%Y alle %H:%M"),
                 "chi": request.user.get_full_name() or request.user.email})
    return _respond(request, consumatore, giorno.replace(day=1))


@require_POST
@family_login_required
def in_bianco_ritira(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    consumatore = _own_consumatore(request, pk)
    form = GiornoForm(request.POST)
    if not form.is_valid():
        raise Http404
    giorno = form.cleaned_data["giorno"]
    try:
        pasto_in_bianco_withdraw(consumatore=consumatore, giorno=giorno, annullato_da=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _(
            "Pasto in bianco ritirato: il %(giorno)s %(nome)s avrà il pasto del menù. "
            "Ti abbiamo inviato una conferma per e-mail."
        ) % {"giorno": giorno.strftime("%d/%m/%Y"), "nome": consumatore.nome})
    return _respond(request, consumatore, giorno.replace(day=1))


# --- public menu (no login) ---------------------------------------------------------------------


def _lunedi(value: str | None) -> datetime.date:
    try:
        giorno = datetime.date.fromisoformat(value or "")
    except ValueError:
        giorno = oggi()
        if giorno.weekday() == 6:
            giorno += datetime.timedelta(1)
    return settimana_di(giorno)[0]


def menu_pubblico_view(request: HttpRequest, comune: str) -> HttpResponse:
    """/<comune>/menu/: the week's menu of each school level with allergen numbers, and the legend."""
    lunedi = _lunedi(request.GET.get("settimana"))
    sabato = lunedi + datetime.timedelta(5)
    mese = lunedi.replace(day=1)
    return render(request, "mensa/menu/pubblico.html", {
        "livelli": menu_pubblico(comune=request.comune, dal=lunedi, al=sabato),
        "lunedi": lunedi, "sabato": sabato, "legenda": legenda_allergeni(),
        "precedente": lunedi - datetime.timedelta(7), "successiva": lunedi + datetime.timedelta(7),
        "mese": mese, "livelli_tutti": TipoScuola.choices,
    })


def menu_mese_pdf(request: HttpRequest, comune: str, livello: str, mese: str) -> HttpResponse:
    """The printable monthly menu of one school level (WeasyPrint)."""
    if livello not in TipoScuola.values:
        raise Http404
    try:
        year, month = (int(x) for x in mese.split("-"))
        inizio = datetime.date(year, month, 1)
    except ValueError:
        raise Http404 from None
    fine = inizio.replace(day=calendar.monthrange(inizio.year, inizio.month)[1])
    pdf = menu_mese_pdf_bytes(comune=request.comune, livello=livello, inizio=inizio, fine=fine)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="menu-{livello}-{inizio:%Y-%m}.pdf"'
    return response

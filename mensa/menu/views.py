"""Menu pages: the "pasto in bianco" of a family (inside Dettaglio), the public menu and its PDF."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consumatori.views import family_login_required

from ..forms import GiornoForm
from ..selectors import oggi
from ..views import _error_text, _own_consumatore, _respond
from .in_bianco import pasto_in_bianco_create, pasto_in_bianco_withdraw


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

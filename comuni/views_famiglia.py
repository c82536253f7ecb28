""""I miei dati": the family downloads its data (JSON/CSV), removes a device that gets push notifications and
can ask the comune to erase its data."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from comuni.access import family_login_required

from .dati_personali import dati_personali_csv, dati_personali_export, richiesta_cancellazione_create
from .models import RichiestaCancellazione

DISPOSITIVO_RIMOSSO = _("Dispositivo rimosso: non riceverà più notifiche.")
CANCELLAZIONE_INVIATA = _(
    "Richiesta di cancellazione inviata all'ufficio scuola. I pagamenti restano registrati come prevede la legge."
)


@family_login_required
def miei_dati(request: HttpRequest, comune: str) -> HttpResponse:
    from notifiche.models import DispositivoPush

    richieste = list(RichiestaCancellazione.objects.filter(utente=request.user))
    dispositivi = list(DispositivoPush.objects.filter(user=request.user))
    return render(request, "comuni/miei_dati.html", {"richieste": richieste, "dispositivi": dispositivi})


@require_POST
@family_login_required
def miei_dati_dispositivo_rimuovi(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    """Remove one of the family's push devices; another family's id (or another comune's) is a 404."""
    from notifiche.push import dispositivo_remove

    if not dispositivo_remove(user=request.user, pk=pk):
        raise Http404
    messages.success(request, DISPOSITIVO_RIMOSSO)
    return redirect("famiglia:miei_dati", comune=request.comune.slug)


@family_login_required
def miei_dati_download(request: HttpRequest, comune: str, formato: str) -> HttpResponse:
    data = dati_personali_export(user=request.user, comune=request.comune)
    name = f"i-miei-dati-{request.comune.slug}"
    if formato == "csv":
        response = HttpResponse(dati_personali_csv(data), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    else:
        response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@require_POST
@family_login_required
def miei_dati_cancellazione(request: HttpRequest, comune: str) -> HttpResponse:
    try:
        richiesta_cancellazione_create(user=request.user, comune=request.comune)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, CANCELLAZIONE_INVIATA)
    return redirect("famiglia:miei_dati", comune=request.comune.slug)

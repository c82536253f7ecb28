""""I miei dati": the family downloads its data (JSON/CSV) and can ask the comune to erase it."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from consumatori.views import family_login_required

from .dati_personali import dati_personali_csv, dati_personali_export, richiesta_cancellazione_create
from .models import RichiestaCancellazione

CANCELLAZIONE_INVIATA = _(
    "Richiesta di cancellazione inviata all'ufficio scuola. I pagamenti restano registrati come prevede la legge."
)


@family_login_required
def miei_dati(request: HttpRequest, comune: str) -> HttpResponse:
    richieste = list(RichiestaCancellazione.objects.filter(utente=request.user))
    return render(request, "comuni/miei_dati.html", {"richieste": richieste})


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

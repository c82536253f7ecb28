"""The family's "Notifiche" page: channels (e-mail, push, App IO) and the devices that get pushes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comuni.access import family_login_required
from omnibus.input import raw_body

from . import vapid
from .models import DispositivoPush
from .push import dispositivo_register, dispositivo_remove, preferenze_of, preferenze_set


@family_login_required
def canali(request: HttpRequest, comune: str) -> HttpResponse:
    if request.method == "POST":
        preferenze_set(comune=request.comune, user=request.user, email="email" in request.POST,
                       push="push" in request.POST, app_io="app_io" in request.POST)
        messages.success(request, _("Preferenze salvate."))
        return redirect("notifiche:canali", comune=comune)
    return render(request, "notifiche/canali.html", {
        "preferenze": preferenze_of(comune=request.comune, user=request.user),
        "dispositivi": list(DispositivoPush.objects.filter(user=request.user)),
        "vapid_public_key": vapid.public_key_b64(),
    })


@require_POST
@family_login_required
def dispositivo_nuovo(request: HttpRequest, comune: str) -> HttpResponse:
    try:
        dispositivo = dispositivo_register(comune=request.comune, user=request.user, body=raw_body(request) or b"")
    except ValidationError as error:
        return JsonResponse({"errori": {field: [str(m) for m in msgs] for field, msgs in error.message_dict.items()}},
                            status=400)
    return JsonResponse({"id": dispositivo.pk}, status=201)


@require_POST
@family_login_required
def dispositivo_rimuovi(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    if not dispositivo_remove(user=request.user, pk=pk):
        raise Http404
    messages.success(request, _("Dispositivo rimosso: non riceverà più notifiche."))
    return redirect("notifiche:canali", comune=comune)

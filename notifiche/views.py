"""The family's messages: warnings, absence confirmations."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from comuni.access import family_login_required

from .selectors import notifiche_of_user
from .services import notifiche_mark_read


@family_login_required
def notifiche_list(request: HttpRequest, comune: str) -> HttpResponse:
    notifiche = list(notifiche_of_user(user=request.user)[:100])
    return render(request, "notifiche/elenco.html", {"notifiche": notifiche})


@require_POST
@family_login_required
def notifiche_read(request: HttpRequest, comune: str) -> HttpResponse:
    notifiche_mark_read(user=request.user)
    return redirect("notifiche:elenco", comune=comune)

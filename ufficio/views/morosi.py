"""Morosi: the debtors of both services, filtered, paginated and exportable."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from comuni.access import ufficio_required
from omnibus.db_router import legge_da_replica

from ..export import dataset_response, morosi_dataset
from ..forms import FiltriMorosiForm, InvioSollecitiForm
from ..models import Livello
from ..selectors import morosi_all, morosi_page


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("pagina", None)
    return params.urlencode()


@ufficio_required
@legge_da_replica
def morosi(request: HttpRequest, comune: str) -> HttpResponse:
    form = FiltriMorosiForm(request.GET)
    oggi = timezone.localdate()
    context = {"form": form, "oggi": oggi, "querystring": _querystring(request), "livelli": Livello.choices,
               "form_invio": InvioSollecitiForm()}
    if not form.is_valid():
        # Nothing is listed with a half-understood filter: say which field is wrong.
        return render(request, "ufficio/morosi.html", {**context, "errori": form.errori()}, status=400)
    pagina = form.cleaned_data.get("pagina") or 1
    context["pagina"] = morosi_page(comune=request.comune, filtri=form.filtri(), pagina=pagina, oggi=oggi)
    return render(request, "ufficio/morosi.html", context)


@ufficio_required
@legge_da_replica
def morosi_export(request: HttpRequest, comune: str, formato: str) -> HttpResponse:
    form = FiltriMorosiForm(request.GET)
    if not form.is_valid():
        return render(request, "ufficio/morosi.html", {
            "form": form, "errori": form.errori(), "livelli": Livello.choices, "form_invio": InvioSollecitiForm(),
        }, status=400)
    oggi = timezone.localdate()
    righe = morosi_all(comune=request.comune, filtri=form.filtri(), oggi=oggi)
    return dataset_response(morosi_dataset(righe, oggi=oggi), formato=formato, nome=f"morosi-{oggi.isoformat()}")

"""Family page of the bus and the phone page of drivers and assistants, inside the comune of the URL."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from comuni.access import bordo_required, family_login_required
from consumatori.selectors import consumatore_of_family

from .models import Iscrizione, Tratta
from .selectors import bordo_for_linea, linea_of_accompagnatore, linee_of_accompagnatore, trasporto_context
from .services import salita_mark

# The morning trip runs before noon; the return one after.
ORA_CAMBIO_TRATTA = 12


@family_login_required
def consumatore_trasporto(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    consumatore = consumatore_of_family(user=request.user, pk=pk)
    context = {"consumatore": consumatore, **trasporto_context(consumatore=consumatore)}
    return render(request, "trasporto/consumatore.html", context)


@bordo_required
def bordo_home(request: HttpRequest, comune: str) -> HttpResponse:
    linee = list(linee_of_accompagnatore(user=request.user))
    return render(request, "trasporto/bordo_home.html", {"linee": linee})


def _tratta(request: HttpRequest) -> str:
    value = request.POST.get("tratta") or request.GET.get("tratta")
    if value in Tratta.values:
        return value
    return Tratta.ANDATA if timezone.localtime().hour < ORA_CAMBIO_TRATTA else Tratta.RITORNO


@bordo_required
@require_http_methods(["GET", "POST"])
def bordo_linea(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    linea = linea_of_accompagnatore(user=request.user, pk=pk)
    oggi = timezone.localdate()
    tratta = _tratta(request)
    if request.method == "POST":
        try:
            iscrizione_id = int(request.POST.get("iscrizione", ""))
        except ValueError:
            raise Http404 from None
        iscrizione = get_object_or_404(Iscrizione.objects.select_related("consumatore"), pk=iscrizione_id,
                                       linea=linea)
        try:
            salita_mark(iscrizione=iscrizione, data=oggi, tratta=tratta, salito=request.POST.get("salito") == "1",
                        registrata_da=request.user)
        except ValidationError as exc:
            return HttpResponse(exc.messages[0], status=400)
        url = reverse("trasporto:bordo_linea", kwargs={"comune": comune, "pk": linea.pk})
        return redirect(f"{url}?tratta={tratta}#fermata-{iscrizione.fermata_id}")
    fermate = bordo_for_linea(linea=linea, data=oggi, tratta=tratta)
    context = {"linea": linea, "fermate": fermate, "tratta": tratta, "oggi": oggi, "tratte": Tratta.choices,
               "attesi": sum(len(f.iscrizioni) for f in fermate),
               "saliti": sum(1 for f in fermate for i in f.iscrizioni if i.salito)}
    return render(request, "trasporto/bordo_linea.html", context)

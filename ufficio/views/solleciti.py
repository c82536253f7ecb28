"""Solleciti: start a sending job, follow its progress, the register, the letters to print (one PDF prepared in
the background, ufficio.stampa) and a single letter."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comuni.access import ufficio_required
from omnibus.db_router import legge_da_replica

from ..forms import FiltriMorosiForm, InvioSollecitiForm
from ..invio import invio_create
from ..lettera import lettere_context, lettere_pdf
from ..models import InvioSolleciti, Sollecito
from ..solleciti import impostazioni_for
from ..stampa import NESSUNA_LETTERA, da_stampare, stampa_create

REGISTRO_PER_PAGINA = 50


@require_POST
@ufficio_required
def invio_nuovo(request: HttpRequest, comune: str) -> HttpResponse:
    form = InvioSollecitiForm(request.POST)
    filtri_form = FiltriMorosiForm(request.GET)
    morosi_url = f"{reverse('ufficio:morosi', kwargs={'comune': comune})}?{request.GET.urlencode()}"
    if not form.is_valid() or not filtri_form.is_valid():
        for name, errors in {**form.errors, **filtri_form.errors}.items():
            label = (form.fields.get(name) or filtri_form.fields.get(name))
            messages.error(request, f"{label.label if label else ''}: {' '.join(errors)}".lstrip(": "))
        return redirect(morosi_url)
    try:
        invio = invio_create(
            comune=request.comune, creato_da=request.user, livello=form.cleaned_data["livello"],
            conti=form.cleaned_data["conti"], filtri=filtri_form.filtri() if form.cleaned_data["tutti"] else None,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(morosi_url)
    messages.success(request, _("Invio avviato: %(n)s conti.") % {"n": invio.totale})
    return redirect("ufficio:invio", comune=comune, pk=invio.pk)


@ufficio_required
def invio(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    invio = get_object_or_404(InvioSolleciti.objects.select_related("creato_da"), pk=pk)
    context = {"invio": invio, "da_stampare": da_stampare(invio).count(),
               "stampa": invio.stampe.defer("contenuto").order_by("-creato_il", "-pk").first()}
    if request.htmx:
        return render(request, "ufficio/_invio_stato.html", context)
    return render(request, "ufficio/invio.html", context)


@require_POST
@ufficio_required
def invio_stampa(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    """Prepare in the background one PDF with the letters of the job that no e-mail delivered (no address,
    or bounced); the job's page follows it and offers the file. A second click gets the same one."""
    invio = get_object_or_404(InvioSolleciti, pk=pk)
    if stampa_create(invio=invio, creato_da=request.user) is None:
        messages.info(request, NESSUNA_LETTERA)
    return redirect("ufficio:invio", comune=comune, pk=pk)


@ufficio_required
def lettera(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    sollecito = get_object_or_404(Sollecito.objects.select_related("comune", "consumatore", "posizione"), pk=pk)
    impostazioni = impostazioni_for(comune=request.comune)
    pdf = lettere_pdf(lettere=lettere_context(solleciti=[sollecito], impostazioni=impostazioni))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sollecito-{sollecito.pk}.pdf"'
    return response


@ufficio_required
@legge_da_replica
def registro(request: HttpRequest, comune: str) -> HttpResponse:
    solleciti = Sollecito.objects.select_related("consumatore", "posizione", "inviato_da").order_by(
        "-inviato_il", "-id"
    )
    paginator = Paginator(solleciti, REGISTRO_PER_PAGINA)
    page = paginator.get_page(request.GET.get("pagina"))
    return render(request, "ufficio/registro.html", {
        "page": page, "invii": InvioSolleciti.objects.select_related("creato_da")[:10],
    })

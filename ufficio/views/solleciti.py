"""Solleciti: start a sending job, follow its progress, the register and the letters to print."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consumatori.models import Tutore

from ..access import ufficio_required
from ..forms import FiltriMorosiForm, InvioSollecitiForm
from ..invio import invio_create
from ..lettera import lettera_context, lettere_pdf
from ..models import EsitoEmail, InvioSolleciti, Sollecito
from ..solleciti import impostazioni_for

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
    context = {"invio": invio, "da_stampare": invio.solleciti.exclude(esito_email=EsitoEmail.INVIATA).count()}
    if request.htmx:
        return render(request, "ufficio/_invio_stato.html", context)
    return render(request, "ufficio/invio.html", context)


def _pdf_response(solleciti: list[Sollecito], nome: str, request: HttpRequest) -> HttpResponse:
    impostazioni = impostazioni_for(comune=request.comune)
    tutori: dict[int, list[Tutore]] = {}
    for tutore in Tutore.objects.filter(consumatore_id__in={s.consumatore_id for s in solleciti}).order_by("pk"):
        tutori.setdefault(tutore.consumatore_id, []).append(tutore)
    lettere = [lettera_context(sollecito=s, impostazioni=impostazioni, tutori=tutori.get(s.consumatore_id, []))
               for s in solleciti]
    response = HttpResponse(lettere_pdf(lettere=lettere), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{nome}.pdf"'
    return response


def _con_lettera(queryset):
    return queryset.select_related("comune", "consumatore", "posizione").order_by(
        "consumatore__cognome", "consumatore__nome", "pk")


@ufficio_required
def invio_stampa(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    """One PDF with the letters of the job that no e-mail delivered (no address, or bounced)."""
    invio = get_object_or_404(InvioSolleciti, pk=pk)
    solleciti = list(_con_lettera(invio.solleciti.exclude(esito_email=EsitoEmail.INVIATA)))
    if not solleciti:
        messages.info(request, _("Tutte le lettere di questo invio sono state consegnate per e-mail."))
        return redirect("ufficio:invio", comune=comune, pk=pk)
    return _pdf_response(solleciti, f"solleciti-da-stampare-{invio.pk}", request)


@ufficio_required
def lettera(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    sollecito = get_object_or_404(_con_lettera(Sollecito.objects.all()), pk=pk)
    return _pdf_response([sollecito], f"sollecito-{sollecito.pk}", request)


@ufficio_required
def registro(request: HttpRequest, comune: str) -> HttpResponse:
    solleciti = Sollecito.objects.select_related("consumatore", "posizione", "inviato_da").order_by(
        "-inviato_il", "-id"
    )
    paginator = Paginator(solleciti, REGISTRO_PER_PAGINA)
    page = paginator.get_page(request.GET.get("pagina"))
    return render(request, "ufficio/registro.html", {
        "page": page, "invii": InvioSolleciti.objects.select_related("creato_da")[:10],
    })

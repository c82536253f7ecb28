"""Reports: on the page, as CSV / XLSX / PDF, or prepared in the background with a progress bar."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from comuni.access import ufficio_required
from omnibus.db_router import legge_da_replica

from ..esportazioni import CONTENT_TYPES, esportazione_create, esportazione_titolo, report_file, report_filename
from ..forms import ReportForm
from ..models import Esportazione, StatoEsportazione
from ..report import REPORTS, report_build

RIGHE_IN_PAGINA = 500


@ufficio_required
@legge_da_replica
def report(request: HttpRequest, comune: str) -> HttpResponse:
    oggi = timezone.localdate()
    form = ReportForm(request.GET or {"report": "pasti"}, oggi=oggi)
    context = {"form": form, "reports": REPORTS,
               "esportazioni": Esportazione.objects.defer("contenuto").filter(
                   creato_da=request.user, invio__isnull=True)[:5]}
    if not form.is_valid():
        return render(request, "ufficio/report.html", {**context, "errori": form.errori()}, status=400)
    nome, formato, parametri = form.cleaned_data["report"], form.cleaned_data["formato"], form.parametri()
    dataset = report_build(comune=request.comune, nome=nome, parametri=parametri)
    if formato != "html":
        content = report_file(comune=request.comune, nome=nome, parametri=parametri, dataset=dataset,
                              formato=formato)
        response = HttpResponse(content, content_type=CONTENT_TYPES[formato])
        disposition = "inline" if formato == "pdf" else "attachment"
        response["Content-Disposition"] = (
            f'{disposition}; filename="{report_filename(nome=nome, parametri=parametri, formato=formato)}"'
        )
        return response
    query = request.GET.copy()
    query.pop("formato", None)
    return render(request, "ufficio/report.html", {
        **context, "dataset": dataset, "righe": dataset[:RIGHE_IN_PAGINA], "troncato": len(dataset) > RIGHE_IN_PAGINA,
        "titolo": REPORTS[nome], "querystring": query.urlencode(),
    })


@require_POST
@ufficio_required
def esportazione_nuova(request: HttpRequest, comune: str) -> HttpResponse:
    form = ReportForm(request.POST, oggi=timezone.localdate())
    if not form.is_valid() or form.cleaned_data["formato"] == "html":
        errori = form.errori() if form.errors else [f"{form.fields['formato'].label}: CSV, XLSX o PDF."]
        return render(request, "ufficio/report.html", {"form": form, "reports": REPORTS, "errori": errori},
                      status=400)
    esportazione = esportazione_create(
        comune=request.comune, creato_da=request.user, nome=form.cleaned_data["report"],
        parametri=form.parametri(), formato=form.cleaned_data["formato"],
    )
    return redirect("ufficio:esportazione", comune=comune, pk=esportazione.pk)


def _esportazioni_of(request: HttpRequest) -> QuerySet[Esportazione]:
    """A report is its author's; the letters of a reminder job are the comune's office's, as the job is.
    The scope keeps both inside the comune of the URL: another comune's id is not found."""
    return Esportazione.objects.filter(Q(creato_da=request.user) | Q(invio__isnull=False))


@ufficio_required
def esportazione(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    esportazione = get_object_or_404(_esportazioni_of(request).defer("contenuto"), pk=pk)
    template = "ufficio/_esportazione_stato.html" if request.htmx else "ufficio/esportazione.html"
    return render(request, template, {"esportazione": esportazione, "titolo": esportazione_titolo(esportazione)})


@ufficio_required
def esportazione_scarica(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    esportazione = get_object_or_404(_esportazioni_of(request), pk=pk, stato=StatoEsportazione.COMPLETATO)
    response = HttpResponse(bytes(esportazione.contenuto), content_type=CONTENT_TYPES[esportazione.formato])
    response["Content-Disposition"] = f'attachment; filename="{esportazione.nome_file}"'
    return response

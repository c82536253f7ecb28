"""The "Attivazione" page of the office and the platform administrator: the checklist, "Verifica collegamento"
to pagoPA, and the families' letters (prepared in the background as an Esportazione)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from comuni.access import ufficio_required
from pagamenti.models import ConfigurazionePagamenti, TipoGateway
from pagamenti.pagopa.gateway import GatewayError
from pagamenti.pagopa.gpd import GpdGateway

from .lettere import lettere_create
from .models import VerificaCollegamento
from .prontezza import voci

NON_GPD = _("Il gateway del comune non è pagoPA GPD: non c'è collegamento da verificare.")
VERIFICA_RIUSCITA = _("Collegamento a pagoPA verificato: chiave e codice fiscale accettati, Checkout raggiungibile.")
VERIFICA_FALLITA = _("Collegamento a pagoPA non riuscito: GPD %(gpd)s; Checkout %(checkout)s.")


# The office of the comune (or a platform administrator), second factor first; anyone else finds nothing (404).
attivazione_required = ufficio_required(not_found=True)


@attivazione_required
def attivazione(request: HttpRequest, comune: str) -> HttpResponse:
    elenco = voci(comune=request.comune)
    obbligatorie = [v for v in elenco if not v.facoltativa]
    return render(request, "attivazione/attivazione.html", {
        "voci": elenco, "fatte": sum(v.fatto for v in obbligatorie), "totale": len(obbligatorie),
    })


@attivazione_required
@require_POST
def verifica(request: HttpRequest, comune: str) -> HttpResponse:
    config = ConfigurazionePagamenti.objects.filter(comune=request.comune).select_related("comune").first()
    if config is None or config.gateway != TipoGateway.GPD or not config.gpd_url:
        messages.error(request, NON_GPD)
        return redirect("attivazione:attivazione", comune=comune)
    try:
        gpd, checkout = GpdGateway(config, interactive=True).connection_check()
    except GatewayError as error:
        gpd, checkout = str(error)[:300], "non verificato"
    esito = VerificaCollegamento.objects.create(comune=request.comune, eseguita_da=request.user, gpd=gpd[:300],
                                                checkout=checkout[:300])
    if esito.riuscita:
        messages.success(request, VERIFICA_RIUSCITA)
    else:
        messages.error(request, VERIFICA_FALLITA % {"gpd": gpd, "checkout": checkout})
    return redirect("attivazione:attivazione", comune=comune)


@attivazione_required
def lettere(request: HttpRequest, comune: str) -> HttpResponse:
    if request.method == "POST":
        esportazione = lettere_create(comune=request.comune, creato_da=request.user)
        return redirect("ufficio:esportazione", comune=comune, pk=esportazione.pk)
    return render(request, "attivazione/lettere.html", {})

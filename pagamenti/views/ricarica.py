"""RICARICA, exactly the path of the notices: amount → "Continua il pagamento" → per consumer
"Ricarica" → "Aggiungi al carrello" → cart → "Effettua il pagamento" → "Dichiaro…" →
"Scegli la modalità di pagamento" (online now, or the avviso di pagamento)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comuni.access import family_login_required
from consumatori.selectors import consumatore_of_family, consumatori_of_family

from .. import carrello
from ..forms import CheckoutForm, ImportoForm, RicaricaForm, importo_parse
from ..models import ConfigurazionePagamenti, ModalitaPagamento, Posizione, Servizio
from ..pagopa.avviso import avviso_notify
from ..pagopa.gateway import GatewayError, gateway_for
from ..pagopa.services import RigaCarrello, posizione_create, posizione_publish
from ..selectors import saldi, suggested_topup

CONSUMATORE_NON_TUO_ERROR = "Il carrello contiene un consumatore non collegato al tuo account."
CHECKOUT_NON_DISPONIBILE = ("Il pagamento online non è al momento raggiungibile: puoi scaricare l'avviso e pagarlo "
                            "presso un PSP, oppure riprovare più tardi da Pagamenti.")


def _config(request: HttpRequest) -> ConfigurazionePagamenti:
    config = ConfigurazionePagamenti.objects.filter(comune=request.comune).first()
    if config is None:
        raise Http404(_("Il comune non ha ancora attivato i pagamenti pagoPA."))
    return config


def _limits(config: ConfigurazionePagamenti) -> dict:
    return {"minimo": config.importo_minimo, "massimo": config.importo_massimo}


@family_login_required
def ricarica(request: HttpRequest, comune: str) -> HttpResponse:
    """The pagoPA page: the amount, then "Continua il pagamento" (top right)."""
    config = _config(request)
    form = ImportoForm(request.GET or None, **_limits(config))
    if request.GET and form.is_valid():
        url = reverse("pagamenti:ricarica_consumatori", kwargs={"comune": comune})
        return redirect(f"{url}?{urlencode({'importo': form.cleaned_data['importo']})}")
    consumatori = list(consumatori_of_family(user=request.user))
    return render(request, "pagamenti/ricarica.html", {
        "form": form, "config": config, "righe_carrello": len(carrello.righe_of(request)),
        "conti": _conti(consumatori, config),
    })


def _conti(consumatori, config) -> list[dict]:
    balances = saldi(consumatori=consumatori)
    conti = []
    for c in consumatori:
        for servizio, label in Servizio.choices:
            value = balances[(c.pk, servizio)]
            conti.append({"consumatore": c, "servizio": servizio, "servizio_label": label, "saldo": value,
                          "suggerito": suggested_topup(saldo_attuale=value, minimo=config.importo_minimo)})
    return conti


@family_login_required
def ricarica_consumatori(request: HttpRequest, comune: str) -> HttpResponse:
    """Every consumer with both accounts, their balance and a "Ricarica" button."""
    config = _config(request)
    importo = _importo_or_none(request.GET.get("importo"), config)
    consumatori = list(consumatori_of_family(user=request.user))
    return render(request, "pagamenti/ricarica_consumatori.html", {
        "importo": importo, "conti": _conti(consumatori, config), "config": config,
        "righe_carrello": len(carrello.righe_of(request)),
    })


def _importo_or_none(value: str | None, config) -> Decimal | None:
    try:
        return importo_parse(value, **_limits(config)) if value else None
    except ValidationError:
        return None


@family_login_required
def ricarica_consumatore(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    """One consumer's top-up: service and amount, then "Aggiungi al carrello"."""
    config = _config(request)
    consumatore = consumatore_of_family(user=request.user, pk=pk)
    if request.method == "POST":
        form = RicaricaForm(request.POST, **_limits(config))
        if form.is_valid():
            carrello.carrello_add(request, consumatore_id=consumatore.pk, servizio=form.cleaned_data["servizio"],
                                  importo=form.cleaned_data["importo"])
            messages.success(request, _("Ricarica aggiunta al carrello."))
            return redirect("pagamenti:carrello", comune=comune)
    else:
        initial = {"servizio": request.GET.get("servizio") or Servizio.MENSA}
        if request.GET.get("importo"):
            initial["importo"] = request.GET["importo"]
        form = RicaricaForm(initial=initial, **_limits(config))
    balances = saldi(consumatori=[consumatore])
    conti = [{"servizio_label": label, "saldo": balances[(consumatore.pk, s)],
              "suggerito": suggested_topup(saldo_attuale=balances[(consumatore.pk, s)], minimo=config.importo_minimo)}
             for s, label in Servizio.choices]
    return render(request, "pagamenti/ricarica_consumatore.html",
                  {"form": form, "consumatore": consumatore, "conti": conti, "config": config})


def _righe_of_family(request: HttpRequest) -> list[RigaCarrello]:
    """The cart lines, each checked against the family's own consumers (404 for anyone else's)."""
    raw = carrello.righe_of(request)
    if not raw:
        return []
    own = {c.pk: c for c in consumatori_of_family(user=request.user)}
    righe = []
    for r in raw:
        consumatore = own.get(r["consumatore"])
        if consumatore is None or r["servizio"] not in Servizio.values:
            raise Http404(CONSUMATORE_NON_TUO_ERROR)
        righe.append(RigaCarrello(consumatore=consumatore, servizio=r["servizio"], importo=Decimal(r["importo"])))
    return righe


@family_login_required
def carrello_view(request: HttpRequest, comune: str) -> HttpResponse:
    righe = _righe_of_family(request)
    totale = sum((r.importo for r in righe), Decimal("0.00"))
    return render(request, "pagamenti/carrello.html", {"righe": righe, "totale": totale})


@family_login_required
@require_POST
def carrello_rimuovi(request: HttpRequest, comune: str, indice: int) -> HttpResponse:
    carrello.carrello_remove(request, indice=indice)
    return redirect("pagamenti:carrello", comune=comune)


@family_login_required
def checkout(request: HttpRequest, comune: str) -> HttpResponse:
    """"Effettua il pagamento": tick "Dichiaro…", then "Scegli la modalità di pagamento"."""
    config = _config(request)
    if request.method == "POST":
        chiave = request.POST.get("chiave", "")
        # A second click or a second tab: the cart was already turned into a position.
        done = Posizione.objects.filter(utente=request.user, chiave_carrello=chiave).first() if chiave else None
        if done is not None:
            return redirect(_after_checkout(request, done))
        form = CheckoutForm(request.POST)
        righe = _righe_of_family(request)
        if not righe:
            messages.error(request, _("Il carrello è vuoto."))
            return redirect("pagamenti:carrello", comune=comune)
        if form.is_valid() and chiave == carrello.carrello_chiave(request):
            posizione, created = posizione_create(
                comune=request.comune, utente=request.user, righe=righe, modalita=form.cleaned_data["modalita"],
                chiave_carrello=chiave,
            )
            if created and posizione.modalita == ModalitaPagamento.AVVISO:
                avviso_notify(posizione=posizione)
            carrello.carrello_empty(request)
            return redirect(_after_checkout(request, posizione, config))
    else:
        form = CheckoutForm()
        righe = _righe_of_family(request)
        if not righe:
            return redirect("pagamenti:carrello", comune=comune)
    totale = sum((r.importo for r in righe), Decimal("0.00"))
    return render(request, "pagamenti/checkout.html", {
        "form": form, "righe": righe, "totale": totale, "chiave": carrello.carrello_chiave(request),
    })


def _after_checkout(request: HttpRequest, posizione: Posizione, config: ConfigurazionePagamenti | None = None) -> str:
    """Online: the gateway's checkout page; otherwise (or if it is down) the position with its avviso."""
    status_url = reverse("pagamenti:posizione", kwargs={"comune": posizione.comune.slug, "token": posizione.token})
    if posizione.modalita == ModalitaPagamento.ONLINE and posizione.stato == "in_attesa":
        config = config or ConfigurazionePagamenti.objects.get(comune_id=posizione.comune_id)
        # Checkout can only find a notice that GPD has published: publish now rather than wait for the task.
        if not posizione_publish(posizione=posizione, interactive=True):
            messages.warning(request, _(CHECKOUT_NON_DISPONIBILE))
            return status_url
        try:
            return gateway_for(config, interactive=True).checkout_url(
                posizione, request.build_absolute_uri(status_url),
                cancel_url=request.build_absolute_uri(f"{status_url}?esito=annullato"),
            )
        except GatewayError:
            messages.warning(request, _(CHECKOUT_NON_DISPONIBILE))
    return status_url


def privacy(request: HttpRequest, comune: str) -> HttpResponse:
    return render(request, "pagamenti/privacy.html")

"""A paid or pending cart: status, avviso PDF (download or e-mail), receipt, sandbox checkout."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from comuni.access import family_login_required
from omnibus.publish import publish

from ..forms import EmailAvvisoForm
from ..models import EsitoRicevuta, ModalitaPagamento, Ricevuta, StatoPosizione, TipoGateway
from ..pagopa.avviso import avviso_pdf, ricevuta_pdf
from ..pagopa.gateway import GatewayError, gateway_for
from ..pagopa.services import posizione_cancel, ricevuta_receive
from ..selectors import posizione_of_user


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


AVVISO_EMAIL_NON_DISPONIBILE = _("Invio per e-mail momentaneamente non disponibile: riprova tra qualche minuto "
                                 "oppure scarica l'avviso in PDF.")
AVVISO_NON_ATTIVO = _("Avviso non ancora attivo, riprova più tardi.")
AVVISO_ANNULLATO = _("Avviso annullato: non può più essere pagato.")
AVVISO_NON_ANNULLABILE = _("L'avviso non può essere annullato: risulta già pagato o chiuso su pagoPA.")
PAGOPA_NON_RAGGIUNGIBILE = _("pagoPA non è al momento raggiungibile: riprova più tardi.")


def _annulla(request: HttpRequest, posizione) -> None:
    try:
        done = posizione_cancel(posizione=posizione, interactive=True)
    except GatewayError:
        messages.error(request, PAGOPA_NON_RAGGIUNGIBILE)
        return
    if done:
        messages.warning(request, AVVISO_ANNULLATO)
    elif posizione.stato == StatoPosizione.IN_ATTESA:
        messages.error(request, AVVISO_NON_ANNULLABILE)


@family_login_required
def posizione_detail(request: HttpRequest, comune: str, token) -> HttpResponse:
    posizione = posizione_of_user(user=request.user, token=token)
    if (request.GET.get("esito") == "annullato" and posizione.modalita == ModalitaPagamento.ONLINE
            and posizione.stato == StatoPosizione.IN_ATTESA):
        # Back from pagoPA Checkout with "annulla": the notice is invalidated so nobody pays it later.
        _annulla(request, posizione)
        return redirect("pagamenti:posizione", comune=comune, token=token)
    righe = list(posizione.righe.select_related("consumatore"))
    return render(request, "pagamenti/posizione.html", {
        "posizione": posizione, "righe": righe, "email_form": EmailAvvisoForm(initial={"email": request.user.email}),
    })


@family_login_required
@require_POST
def posizione_annulla(request: HttpRequest, comune: str, token) -> HttpResponse:
    """The family gives up paying a pending avviso."""
    posizione = posizione_of_user(user=request.user, token=token)
    if posizione.stato == StatoPosizione.IN_ATTESA:
        _annulla(request, posizione)
    return redirect("pagamenti:posizione", comune=comune, token=token)


@family_login_required
def avviso_download(request: HttpRequest, comune: str, token) -> HttpResponse:
    posizione = posizione_of_user(user=request.user, token=token)
    if not posizione.attivo:
        # Never hand out as payable what pagoPA has not published (or what is closed).
        messages.warning(request, AVVISO_NON_ATTIVO)
        return redirect("pagamenti:posizione", comune=comune, token=token)
    pdf = avviso_pdf(posizione=posizione, lingua=getattr(request, "LANGUAGE_CODE", "it"))
    return _pdf(pdf, f"avviso-{posizione.numero_avviso}.pdf")


@family_login_required
def avviso_email(request: HttpRequest, comune: str, token) -> HttpResponse:
    posizione = posizione_of_user(user=request.user, token=token)
    if request.method != "POST":
        return redirect("pagamenti:posizione", comune=comune, token=token)
    form = EmailAvvisoForm(request.POST)
    if not posizione.attivo:
        messages.warning(request, AVVISO_NON_ATTIVO)
    elif form.is_valid():
        from ..tasks import avviso_email_task

        email, lingua = form.cleaned_data["email"], getattr(request, "LANGUAGE_CODE", "it")
        # No transaction is open here: published at once, and the family is told if the queue is down.
        if publish(avviso_email_task, posizione.comune_id, posizione.pk, email, lingua):
            messages.success(request, _("L'avviso di pagamento sarà inviato a %(email)s.") % {"email": email})
        else:
            messages.error(request, AVVISO_EMAIL_NON_DISPONIBILE)
    else:
        messages.error(request, _("Indirizzo e-mail non valido."))
    return redirect("pagamenti:posizione", comune=comune, token=token)


@family_login_required
def ricevuta_download(request: HttpRequest, comune: str, token) -> HttpResponse:
    posizione = posizione_of_user(user=request.user, token=token)
    ricevuta = Ricevuta.objects.filter(posizione=posizione, esito=EsitoRicevuta.ACCREDITATA).first()
    if ricevuta is None:
        raise Http404(_("Ricevuta non ancora disponibile."))
    return _pdf(ricevuta_pdf(posizione=posizione, ricevuta=ricevuta), f"ricevuta-{posizione.numero_avviso}.pdf")


@family_login_required
def sandbox_checkout(request: HttpRequest, comune: str, token) -> HttpResponse:
    """The sandbox's stand-in for pagoPA Checkout: "paga" or "annulla"."""
    posizione = posizione_of_user(user=request.user, token=token)
    if posizione.gateway != TipoGateway.SANDBOX:
        raise Http404
    from ..models import ConfigurazionePagamenti

    gateway = gateway_for(ConfigurazionePagamenti.objects.get(comune_id=posizione.comune_id))
    if request.method == "POST" and posizione.stato == StatoPosizione.IN_ATTESA:
        if request.POST.get("esito") == "paga":
            ricevuta_receive(comune=posizione.comune, ricevuta=gateway.simulated_receipt(posizione, "Checkout sandbox"),
                             origine="sandbox")
        elif request.POST.get("esito") == "annulla":
            posizione_cancel(posizione=posizione)
            messages.warning(request, _("Pagamento annullato: nessun addebito."))
        return redirect("pagamenti:posizione", comune=comune, token=token)
    return render(request, "pagamenti/sandbox_checkout.html", {"posizione": posizione})

"""A paid or pending cart: status, avviso PDF (download or e-mail), receipt, sandbox checkout."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from consumatori.views import family_login_required

from ..forms import EmailAvvisoForm
from ..models import EsitoRicevuta, Ricevuta, StatoPosizione, TipoGateway
from ..pagopa.avviso import avviso_pdf, ricevuta_pdf
from ..pagopa.gateway import gateway_for
from ..pagopa.services import posizione_cancel, ricevuta_receive
from ..selectors import posizione_of_user


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@family_login_required
def posizione_detail(request: HttpRequest, comune: str, token) -> HttpResponse:
    posizione = posizione_of_user(user=request.user, token=token)
    righe = list(posizione.righe.select_related("consumatore"))
    return render(request, "pagamenti/posizione.html", {
        "posizione": posizione, "righe": righe, "email_form": EmailAvvisoForm(initial={"email": request.user.email}),
    })


@family_login_required
def avviso_download(request: HttpRequest, comune: str, token) -> HttpResponse:
    posizione = posizione_of_user(user=request.user, token=token)
    return _pdf(avviso_pdf(posizione=posizione), f"avviso-{posizione.numero_avviso}.pdf")


@family_login_required
def avviso_email(request: HttpRequest, comune: str, token) -> HttpResponse:
    posizione = posizione_of_user(user=request.user, token=token)
    if request.method != "POST":
        return redirect("pagamenti:posizione", comune=comune, token=token)
    form = EmailAvvisoForm(request.POST)
    if form.is_valid():
        from ..tasks import avviso_email_task

        email = form.cleaned_data["email"]
        transaction.on_commit(lambda: avviso_email_task.delay(posizione.comune_id, posizione.pk, email))
        messages.success(request, _("L'avviso di pagamento sarà inviato a %(email)s.") % {"email": email})
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

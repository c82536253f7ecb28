"""The family's "Iscrizioni" pages at /<comune>/iscrizioni/ (thin: forms, services, selectors)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comuni.access import family_login_required, is_ufficio, second_factor_passed
from consumatori.selectors import consumatori_of_family

from .domande import domanda_invia, domanda_ritira, domanda_salva
from .forms import DomandaForm
from .models import AccessoCertificato, Domanda, StatoDomanda
from .ricevuta import ricevuta_nome, ricevuta_pdf
from .selectors import domanda_of_family, domande_of_family, finestre_aperte, oggi


def _url(request: HttpRequest, name: str, **kwargs) -> str:
    return reverse(f"iscrizioni:{name}", kwargs={"comune": request.comune.slug, **kwargs})


@family_login_required
def iscrizioni_home(request: HttpRequest, comune: str) -> HttpResponse:
    return render(request, "iscrizioni/home.html", {
        "finestre": finestre_aperte(), "domande": list(domande_of_family(user=request.user)),
    })


@family_login_required
def domanda_nuova(request: HttpRequest, comune: str) -> HttpResponse:
    finestre = finestre_aperte()
    if not finestre:
        messages.info(request, _("In questo momento non ci sono iscrizioni aperte."))
        return redirect(_url(request, "home"))
    anno = finestre[0].anno_scolastico
    finestre = [f for f in finestre if f.anno_scolastico_id == anno.pk]
    kwargs = {"consumatori": consumatori_of_family(user=request.user), "anno": anno,
              "servizi_aperti": [f.servizio for f in finestre]}
    if request.method == "POST":
        form = DomandaForm(request.POST, request.FILES, **kwargs)
        if form.is_valid():
            try:
                domanda = domanda_salva(
                    utente=request.user, anno=anno, chiave=form.cleaned_data["chiave"], dati=form.cleaned_data,
                    isee=form.isee_value, certificato=form.cleaned_data.get("certificato") or None,
                    certificato_tipo=getattr(form, "certificato_tipo", ("", ""))[0], giorno=oggi(),
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(None if field == "__all__" else field, errors)
            else:
                if domanda.stato != StatoDomanda.BOZZA:
                    return redirect(_url(request, "domanda", pk=domanda.pk))
                return redirect(_url(request, "riepilogo", pk=domanda.pk))
    else:
        import uuid

        form = DomandaForm(initial={"chiave": uuid.uuid4()}, **kwargs)
    return render(request, "iscrizioni/domanda_form.html", {"form": form, "anno": anno, "finestre": finestre})


@family_login_required
def domanda_riepilogo(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    domanda = domanda_of_family(user=request.user, pk=pk)
    if domanda.stato != StatoDomanda.BOZZA:
        return redirect(_url(request, "domanda", pk=pk))
    return render(request, "iscrizioni/riepilogo.html", {"domanda": domanda})


@require_POST
@family_login_required
def domanda_invio(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    domanda = domanda_of_family(user=request.user, pk=pk)
    try:
        domanda = domanda_invia(domanda=domanda, giorno=oggi())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_url(request, "riepilogo", pk=pk))
    messages.success(request, _("Domanda inviata: protocollo %(protocollo)s. Ti abbiamo inviato una conferma per "
                                "e-mail.") % {"protocollo": domanda.protocollo})
    return redirect(_url(request, "domanda", pk=pk))


@family_login_required
def domanda_dettaglio(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    domanda = domanda_of_family(user=request.user, pk=pk)
    if domanda.stato == StatoDomanda.BOZZA:
        return redirect(_url(request, "riepilogo", pk=pk))
    return render(request, "iscrizioni/domanda.html", {"domanda": domanda})


@require_POST
@family_login_required
def domanda_ritiro(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    domanda = domanda_of_family(user=request.user, pk=pk)
    try:
        domanda_ritira(domanda=domanda)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Domanda %(protocollo)s ritirata.") % {"protocollo": domanda.protocollo})
    return redirect(_url(request, "domanda", pk=pk))


@family_login_required
def domanda_ricevuta(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    domanda = domanda_of_family(user=request.user, pk=pk)
    if not domanda.protocollo:
        raise Http404
    response = HttpResponse(ricevuta_pdf(domanda), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{ricevuta_nome(domanda)}"'
    return response


@family_login_required
def domanda_certificato(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    """The medical certificate: only to the family that uploaded it and the comune's school office (with its
    second factor; sent applications only: a draft is the family's, as in the admin). Every staff download is
    recorded (AccessoCertificato)."""
    staff = is_ufficio(request.user, request.comune) and second_factor_passed(request)
    domanda = None
    if staff:
        domanda = Domanda.objects.exclude(stato=StatoDomanda.BOZZA).filter(pk=pk).first()
    if domanda is None:
        domanda = domanda_of_family(user=request.user, pk=pk)
    if not domanda.certificato:
        raise Http404
    try:
        handle = domanda.certificato.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    if staff and domanda.utente_id != request.user.pk:
        AccessoCertificato.objects.create(comune=request.comune, domanda=domanda, protocollo=domanda.protocollo,
                                          utente=request.user)
    extension = domanda.certificato.name.rsplit(".", 1)[-1]
    response = FileResponse(handle, content_type=domanda.certificato_tipo or "application/octet-stream",
                            filename=f"certificato-{domanda.protocollo or domanda.pk}.{extension}")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response

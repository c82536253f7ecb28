"""Canteen pages: family absences (inside "Dettaglio"), operators' attendance, the kitchen count."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from comuni.access import family_login_required, operatore_required
from consumatori.selectors import consumatore_of_family_con_classe
from omnibus.dates import giorno_parse

from .assenze import assenza_create, assenza_withdraw, presenza_set
from .cucina import conteggio_csv, conteggio_pdf
from .dettaglio import dettaglio_context, parse_mese  # noqa: F401 - parse_mese is public here too
from .forms import AssenzaForm, GiornoForm, PresenzaForm
from .menu.selectors import diete_del_giorno
from .selectors import (
    conteggio_cucina,
    conteggio_per_scuola,
    elenco_operatore,
    giorno_disdetto,
    oggi,
    scuole_ids_of,
)

FORM_ASSENZA_NON_VALIDO = _("Indica una data valida (gg/mm/aaaa).")


def _own_consumatore(request: HttpRequest, pk: int):
    consumatore = consumatore_of_family_con_classe(user=request.user, pk=pk, comune_id=request.comune.pk)
    consumatore.comune = request.comune
    return consumatore


def _respond(request: HttpRequest, consumatore, mese: datetime.date) -> HttpResponse:
    """htmx: the month (#mese, whatever element asked); without JavaScript: back to "Dettaglio"."""
    if request.htmx:
        response = render(request, "mensa/_mese.html", dettaglio_context(request, consumatore, mese))
        if request.htmx.target != "mese":  # a day's row asked (its "Disdici"): the whole month answers
            retarget(response, "#mese")
            reswap(response, "outerHTML")
        return response
    url = reverse("cittadino:consumatore", kwargs={"comune": request.comune.slug, "pk": consumatore.pk})
    return redirect(f"{url}?mese={mese:%Y-%m}#mese")


def _row_asked(request: HttpRequest, giorno: datetime.date) -> bool:
    """The post came from that day's own "Disdici" (htmx, targeting its row `g<YYYYMMDD>`)."""
    return bool(request.htmx) and request.htmx.target == f"g{giorno:%Y%m%d}"


def _error_text(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


@require_POST
@family_login_required
def assenza_nuova(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    consumatore = _own_consumatore(request, pk)
    form = AssenzaForm(request.POST)
    if not form.is_valid():
        fields = "; ".join(f"{form.fields[name].label or name}: {' '.join(errors)}"
                           for name, errors in form.errors.items())
        messages.error(request, f"{FORM_ASSENZA_NON_VALIDO} {fields}")
        return _respond(request, consumatore, parse_mese(request.POST.get("mese")))
    dal, al = form.cleaned_data["dal"], form.cleaned_data["al"]
    try:
        nuove = assenza_create(consumatore=consumatore, dal=dal, al=al, registrata_da=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        now = timezone.localtime()
        if nuove:
            giorni = ", ".join(a.giorno.strftime("%d/%m/%Y") for a in nuove)
            messages.success(request, _(
                "Assenza registrata per %(nome)s: %(giorni)s. Registrata il %(quando)s da %(chi)s. "
                "Ti abbiamo inviato una conferma per e-mail."
            ) % {"nome": consumatore.nome, "giorni": giorni, "quando": now.strftime("%d/%m/%Y alle %H:%M"),
                 "chi": request.user.get_full_name() or request.user.email})
        else:
            messages.info(request, _("L'assenza era già registrata: nulla da cambiare."))
        if len(nuove) == 1 and (al is None or al == dal) and _row_asked(request, dal):
            # The 09:00 rush: only that day's row changed (balances and other days did not): answer it alone.
            giorno = giorno_disdetto(consumatore=consumatore, assenza=nuove[0])
            return render(request, "mensa/_giorno_assente.html", {
                "consumatore": consumatore, "giorni": [giorno], "oggi": oggi(), "giorni_in_bianco": ()})
    return _respond(request, consumatore, dal.replace(day=1))


@require_POST
@family_login_required
def assenza_ritira(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    consumatore = _own_consumatore(request, pk)
    form = GiornoForm(request.POST)
    if not form.is_valid():
        messages.error(request, FORM_ASSENZA_NON_VALIDO)
        return _respond(request, consumatore, parse_mese(request.POST.get("mese")))
    giorno = form.cleaned_data["giorno"]
    try:
        assenza_withdraw(consumatore=consumatore, giorno=giorno, annullata_da=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _(
            "Assenza ritirata: il pasto del %(giorno)s per %(nome)s è di nuovo prenotato. "
            "Ti abbiamo inviato una conferma per e-mail."
        ) % {"giorno": giorno.strftime("%d/%m/%Y"), "nome": consumatore.nome})
    return _respond(request, consumatore, giorno.replace(day=1))


# --- canteen operators -------------------------------------------------------------------------


@operatore_required
def operatore_presenze(request: HttpRequest, comune: str) -> HttpResponse:
    giorno = oggi()
    righe = elenco_operatore(comune=request.comune, giorno=giorno, scuole_ids=scuole_ids_of(request.incarico))
    _attach_diete(request.comune, giorno, righe)
    return render(request, "mensa/operatore.html", {
        "giorno": giorno, "righe": righe, "pasti": sum(1 for r in righe if r.mangia),
    })


@require_POST
@operatore_required
def operatore_presenza(request: HttpRequest, comune: str) -> HttpResponse:
    form = PresenzaForm(request.POST)
    if not form.is_valid():
        raise Http404
    giorno = oggi()
    righe = elenco_operatore(comune=request.comune, giorno=giorno, scuole_ids=scuole_ids_of(request.incarico))
    riga = next((r for r in righe if r.consumatore.pk == form.cleaned_data["consumatore"]), None)
    if riga is None:
        raise Http404
    presenza_set(consumatore=riga.consumatore, giorno=giorno, presente=form.cleaned_data["presente"],
                 registrata_da=request.user)
    riga.presente = form.cleaned_data["presente"]
    _attach_diete(request.comune, giorno, [riga])
    if request.htmx:
        return render(request, "mensa/_riga_presenza.html", {"r": riga})
    messages.success(request, _("Salvato: %(nome)s %(stato)s.") % {
        "nome": riga.consumatore.nome_completo, "stato": _("presente") if riga.presente else _("assente")})
    return redirect(f"{reverse('mensa:operatore', kwargs={'comune': comune})}#c{riga.consumatore.pk}")


def _attach_diete(comune, giorno: datetime.date, righe) -> None:
    diete = diete_del_giorno(comune=comune, giorno=giorno, consumatori=[r.consumatore for r in righe])
    for riga in righe:
        riga.dieta = diete.get(riga.consumatore.pk)


def _giorno_param(request: HttpRequest) -> datetime.date:
    value = request.GET.get("giorno")
    giorno = giorno_parse(value)
    if giorno is None and value:
        messages.warning(request, _("Il giorno indicato (giorno) non è valido: ecco il conteggio di oggi."))
    return giorno or oggi()


@operatore_required
def conteggio(request: HttpRequest, comune: str, formato: str = "html") -> HttpResponse:
    giorno = _giorno_param(request)
    righe = conteggio_cucina(comune=request.comune, giorno=giorno, scuole_ids=scuole_ids_of(request.incarico))
    if formato == "csv":
        response = HttpResponse(conteggio_csv(righe), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="pasti-{giorno.isoformat()}.csv"'
        return response
    if formato == "pdf":
        response = HttpResponse(
            conteggio_pdf(comune=request.comune, giorno=giorno, righe=righe), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="pasti-{giorno.isoformat()}.pdf"'
        return response
    return render(request, "mensa/conteggio.html", {
        "giorno": giorno, "righe": righe, "totale": sum(r.pasti for r in righe),
        "scuole": conteggio_per_scuola(righe),
    })

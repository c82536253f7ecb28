"""The canteen part of a consumer's "Dettaglio": diets, the week's menu, the month's days, the balances.

Registered as a section of `consumatori.dettaglio` in MensaConfig.ready(): consumatori does not import mensa.
"""

from __future__ import annotations

import calendar
import datetime

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from consumatori.models import Consumatore
from omnibus.dates import mese_parse
from pagamenti.models import Servizio
from pagamenti.selectors import saldi

from .forms import AssenzaForm
from .menu.selectors import giorni_in_bianco, menu_consumatore, settimana_di
from .selectors import mese_consumatore, oggi

MESE_NON_VALIDO = _("Il mese indicato (mese) non è valido: ecco il mese corrente.")


def parse_mese(value: str | None) -> datetime.date:
    """The month of `?mese=YYYY-MM`, or the current one when malformed or out of range."""
    return mese_parse(value) or oggi().replace(day=1)


def parse_mese_with_message(request: HttpRequest, value: str | None) -> datetime.date:
    """parse_mese, telling the family when a month they asked for could not be shown."""
    mese = mese_parse(value)
    if mese is None and value:
        messages.warning(request, MESE_NON_VALIDO)
    return mese or oggi().replace(day=1)


def _settimana_mostrata(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """This week; from Sunday the coming one."""
    return settimana_di(today + datetime.timedelta(1) if today.weekday() == 6 else today)


def dettaglio_context(request: HttpRequest, consumatore: Consumatore, mese: datetime.date) -> dict:
    """The month's days, the meals consumed, the balances, and the bland meals of the month and the week."""
    consumatore.comune = request.comune  # the same row, already loaded by the middleware
    today = oggi()
    mese_data = mese_consumatore(consumatore=consumatore, mese=mese)
    balances = saldi(consumatori=[consumatore])
    inizio = mese.replace(day=1)
    fine = inizio.replace(day=calendar.monthrange(inizio.year, inizio.month)[1])
    lunedi, sabato = _settimana_mostrata(today)
    # One read for the month shown and the week of the menu, whichever month is shown.
    in_bianco = giorni_in_bianco(consumatore=consumatore, dal=min(inizio, lunedi), al=max(fine, sabato))
    return {
        "consumatore": consumatore, "mese": mese_data, "saldo_mensa": balances[(consumatore.pk, Servizio.MENSA)],
        "saldo_trasporto": balances[(consumatore.pk, Servizio.TRASPORTO)],
        "form_assenza": AssenzaForm(), "oggi": today, "giorni_in_bianco": in_bianco,
    }


def sezione_dettaglio(request: HttpRequest, consumatore: Consumatore, context: dict) -> dict:
    """The context of the canteen section (registered in consumatori.dettaglio)."""
    result = dettaglio_context(request, consumatore, parse_mese_with_message(request, request.GET.get("mese")))
    lunedi, sabato = _settimana_mostrata(result["oggi"])
    menu = menu_consumatore(consumatore=consumatore, dal=lunedi, al=sabato, in_bianco=result["giorni_in_bianco"])
    result["menu_settimana"] = menu.giorni
    result["menu_oggi"] = next((g for g in menu.giorni if g.giorno == result["oggi"]), None)
    result["diete_oggi"] = menu.diete_del(result["oggi"])
    return result

"""The "pasto in bianco": a bland meal for one day, asked like an absence, until the same cut-off."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuni.models import User
from consumatori.models import Consumatore

from ..assenze import NOT_ENROLLED_ERROR, OUTSIDE_YEAR_ERROR, _service_days
from ..cutoff import ROME, cutoff_check, data_it
from ..models import Assenza, IscrizioneMensa
from .models import PastoInBianco

ASSENTE_ERROR = _("Il %(giorno)s è registrata un'assenza: ritira l'assenza prima di chiedere il pasto in bianco.")
NON_SERVICE_DAY_ERROR = _("Il %(giorno)s il servizio non è disponibile: nessun pasto da preparare.")
NESSUN_BIANCO_ERROR = _("Per il %(giorno)s non c'è nessun pasto in bianco da ritirare.")


@transaction.atomic
def pasto_in_bianco_create(
    *, consumatore: Consumatore, giorno: datetime.date, registrato_da: User, now: datetime.datetime | None = None
) -> PastoInBianco | None:
    """Ask a bland meal for a service day before the cut-off; None if already asked. Confirmed by e-mail."""
    now = now or timezone.now()
    anno = consumatore.classe.anno_scolastico if consumatore.classe_id else None
    if anno is None or not anno.data_inizio <= giorno <= anno.data_fine:
        raise ValidationError(OUTSIDE_YEAR_ERROR, code="outside_year", params={"giorno": data_it(giorno)})
    cutoff_check(consumatore.comune, giorno, now)
    if not _service_days(consumatore, giorno, giorno):
        raise ValidationError(NON_SERVICE_DAY_ERROR, code="no_service", params={"giorno": data_it(giorno)})
    iscritto = IscrizioneMensa.objects.filter(consumatore=consumatore, data_inizio__lte=giorno).filter(
        Q(data_fine__isnull=True) | Q(data_fine__gte=giorno)
    )
    if not iscritto.exists():
        raise ValidationError(NOT_ENROLLED_ERROR, code="not_enrolled")
    if Assenza.objects.filter(consumatore=consumatore, giorno=giorno, annullata_il__isnull=True).exists():
        raise ValidationError(ASSENTE_ERROR, code="assente", params={"giorno": data_it(giorno)})
    if PastoInBianco.objects.filter(consumatore=consumatore, giorno=giorno, annullato_il__isnull=True).exists():
        return None
    pasto = PastoInBianco(
        comune=consumatore.comune, consumatore=consumatore, giorno=giorno, registrato_il=now,
        registrato_da=registrato_da,
    )
    try:
        with transaction.atomic():  # a concurrent request for the same day meets the unique constraint
            pasto.save()
    except IntegrityError:
        return None
    _confirm(consumatore, registrato_da, now, giorno, withdrawn=False)
    return pasto


@transaction.atomic
def pasto_in_bianco_withdraw(
    *, consumatore: Consumatore, giorno: datetime.date, annullato_da: User, now: datetime.datetime | None = None
) -> PastoInBianco:
    """Withdraw the request (the ordinary meal again), under the same cut-off rule."""
    now = now or timezone.now()
    cutoff_check(consumatore.comune, giorno, now)
    pasto = (
        PastoInBianco.objects.select_for_update()
        .filter(consumatore=consumatore, giorno=giorno, annullato_il__isnull=True)
        .first()
    )
    if pasto is None:
        raise ValidationError(NESSUN_BIANCO_ERROR, code="no_bianco", params={"giorno": data_it(giorno)})
    pasto.annullato_il = now
    pasto.annullato_da = annullato_da
    pasto.save(update_fields=["annullato_il", "annullato_da"])
    _confirm(consumatore, annullato_da, now, giorno, withdrawn=True)
    return pasto


def _confirm(consumatore: Consumatore, user: User, now: datetime.datetime, giorno: datetime.date,
             withdrawn: bool) -> None:
    from notifiche.services import notifica_send

    when = timezone.localtime(now, ROME).strftime("%d/%m/%Y alle %H:%M:%S")
    who = user.get_full_name() or user.email
    if withdrawn:
        titolo = f"Pasto in bianco ritirato per {consumatore.nome_completo}: {data_it(giorno)}"
        testo = (f"La richiesta di pasto in bianco di {consumatore.nome_completo} per il giorno {data_it(giorno)} "
                 f"è stata ritirata: sarà servito il pasto del menù.\nRegistrato il {when} da {who}.")
    else:
        titolo = f"Pasto in bianco richiesto per {consumatore.nome_completo}: {data_it(giorno)}"
        testo = (f"Abbiamo registrato la richiesta di pasto in bianco per {consumatore.nome_completo} "
                 f"il giorno {data_it(giorno)}.\nLa cucina lo trova nel conteggio dei pasti.\n"
                 f"Registrata il {when} da {who}.")
    notifica_send(comune=consumatore.comune, user=user, consumatore=consumatore, titolo=titolo, testo=testo)

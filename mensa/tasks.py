"""Thin Celery tasks: the nightly debit of every comune at once (per comune on failure), the kitchen count
after the cut-off."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from omnibus.celery import ComuneTask

from .cutoff import ROME, cutoff_passed


def _today() -> datetime.date:
    return timezone.localtime(timezone.now(), ROME).date()


@shared_task(name="mensa.tasks.meal_debit_all", bind=True, max_retries=5)
def meal_debit_all(self, giorno: str | None = None) -> int:
    """The night's debit of every active comune, set-based in one transaction (`meal_debit_night`);
    returns the number of comuni. Should it fail for anything but the database's weather, each comune runs
    in its own task instead, so that one comune's data cannot hold back the others' debit."""
    import logging

    from django.db import OperationalError

    from .addebito import comuni_del_debito, meal_debit_night

    giorno = giorno or _today().isoformat()
    comuni = comuni_del_debito()
    try:
        meal_debit_night(giorno=datetime.date.fromisoformat(giorno), comuni=comuni)
    except OperationalError as exc:  # lock timeouts, lost connections: the run is idempotent, retry it
        raise self.retry(exc=exc, countdown=30) from exc
    except Exception:
        logging.getLogger(__name__).exception("Addebito notturno d'insieme fallito il %s: un task per comune", giorno)
        for comune in comuni:
            meal_debit_comune.delay(comune.pk, giorno)
    return len(comuni)


@shared_task(base=ComuneTask, name="mensa.tasks.meal_debit_comune", bind=True, max_retries=5)
def meal_debit_comune(self, comune, giorno: str) -> dict:
    from django.db import OperationalError

    from .addebito import meal_debit_run

    try:
        return meal_debit_run(comune=comune, giorno=datetime.date.fromisoformat(giorno))
    except OperationalError as exc:  # lock timeouts, lost connections: the run is idempotent, retry it
        raise self.retry(exc=exc, countdown=30) from exc


@shared_task(name="mensa.tasks.kitchen_counts_due")
def kitchen_counts_due() -> int:
    """Every few minutes: send the count of every comune whose cut-off passed today and has not been sent."""
    from django_scopes import scopes_disabled

    from comuni.models import Comune

    from .models import ConteggioInviato

    today = _today()
    now = timezone.now()
    # A platform-wide read of which comuni are done today (no tenant data leaves this function).
    with scopes_disabled():
        done = set(ConteggioInviato.objects.filter(giorno=today).values_list("comune_id", flat=True))
    due = [
        c.pk for c in Comune.objects.filter(attivo=True).exclude(email_ristorazione="")
        if c.pk not in done and cutoff_passed(comune=c, giorno=today, now=now)
    ]
    for pk in due:
        kitchen_count_send.delay(pk, today.isoformat())
    return len(due)


@shared_task(base=ComuneTask, name="mensa.tasks.kitchen_count_send", bind=True, max_retries=5)
def kitchen_count_send(self, comune, giorno: str) -> bool:
    from .cucina import conteggio_cucina_send

    try:
        return conteggio_cucina_send(comune=comune, giorno=datetime.date.fromisoformat(giorno))
    except OSError as exc:  # the mail server did not answer: nothing was claimed, try again
        raise self.retry(exc=exc, countdown=60) from exc


@shared_task(base=ComuneTask, name="mensa.tasks.variazione_menu_notify", bind=True, max_retries=5)
def variazione_menu_notify(self, comune, variazione_id: int) -> int:
    """Tell the families of a dish changed on the day (keyed: a retry tells nobody twice)."""
    from django.db import OperationalError

    from .menu.models import VariazioneMenu
    from .menu.variazioni import variazione_notify

    try:
        variazione = VariazioneMenu.objects.select_related("piatto", "comune").get(pk=variazione_id)
        return variazione_notify(variazione=variazione)
    except OperationalError as exc:
        raise self.retry(exc=exc, countdown=30) from exc


@shared_task(name="mensa.tasks.diete_scadute_elimina")
def diete_scadute_elimina() -> int:
    """Health data has a life: a consumer's diet (a sanitary one says what the child may not eat, and names
    its medical certificate) is deleted DIETE_CONSERVAZIONE_GIORNI after it ended. Logs a count, never names."""
    import logging

    from django.conf import settings
    from django_scopes import scopes_disabled

    from .menu.models import DietaConsumatore

    limite = _today() - datetime.timedelta(days=settings.DIETE_CONSERVAZIONE_GIORNI)
    with scopes_disabled():
        eliminate, _ = DietaConsumatore.objects.filter(data_fine__lt=limite).delete()
    logging.getLogger(__name__).info("diete concluse eliminate: %d", eliminate)
    return eliminate

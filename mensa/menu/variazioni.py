"""A dish changed on the day: recorded with its allergens, the families of the children who eat it told."""

from __future__ import annotations

import datetime

from django.db import transaction

from comuni.models import Comune, User
from consumatori.models import Tutore
from omnibus.publish import publish_on_commit

from ..addebito import presenti_queryset
from ..calendario import calendari_load, classi_con_servizio_q
from ..cutoff import data_it
from .allergeni import allergene_etichetta
from .models import Piatto, Portata, VariazioneMenu


@transaction.atomic
def variazione_register(
    *, comune: Comune, giorno: datetime.date, livello: str, portata: str, piatto: Piatto, motivo: str,
    registrata_da: User | None,
) -> VariazioneMenu:
    """Record the change (the new dish's allergens kept as they are today); the families are told after commit."""
    variazione = VariazioneMenu(
        comune=comune, giorno=giorno, livello=livello, portata=portata, piatto=piatto, motivo=motivo,
        registrata_da=registrata_da, allergeni=piatto.allergeni,
    )
    variazione.full_clean()
    variazione.save()
    variazione_notify_later(variazione=variazione)
    return variazione


def variazione_notify_later(*, variazione: VariazioneMenu) -> None:
    """Tell the families in a task once the change is committed (thousands of messages in a big comune)."""
    from ..tasks import variazione_menu_notify

    comune_id, pk = variazione.comune_id, variazione.pk
    publish_on_commit(variazione_menu_notify, comune_id, pk)


def variazione_notify(*, variazione: VariazioneMenu) -> int:
    """Tell each linked guardian of the children booked that day at that school level, once (keyed)."""
    from notifiche.services import notifica_send

    comune, giorno = variazione.comune, variazione.giorno
    calendari = calendari_load(comune=comune, dal=giorno, al=giorno)
    if classi_con_servizio_q(calendari, giorno) is None:
        return 0
    consumatori = presenti_queryset(comune=comune, giorno=giorno, calendari=calendari).filter(
        consumatore__classe__scuola__tipo=variazione.livello
    ).values("consumatore_id")
    tutori = (
        Tutore.objects.filter(consumatore_id__in=consumatori, utente__isnull=False)
        .select_related("utente", "consumatore")
        .order_by("pk")
    )
    allergeni = ", ".join(allergene_etichetta(a).lower() for a in variazione.allergeni) or "nessuno"
    portata = str(Portata(variazione.portata).label).lower()
    sent = 0
    for tutore in tutori:
        consumatore = tutore.consumatore
        titolo = f"Menù cambiato il {data_it(giorno)} per {consumatore.nome_completo}"
        testo = (f"Il {data_it(giorno)} il {portata} del menù è sostituito da «{variazione.piatto}» "
                 f"({variazione.motivo}).\nAllergeni del nuovo piatto: {allergeni}.\n"
                 f"Se {consumatore.nome} segue una dieta, la cucina prepara il piatto adatto.")
        if notifica_send(comune=comune, user=tutore.utente, consumatore=consumatore, titolo=titolo, testo=testo,
                         chiave=f"variazione-menu:{variazione.pk}:{consumatore.pk}"):
            sent += 1
    return sent

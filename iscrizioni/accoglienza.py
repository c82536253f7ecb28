"""Staff decisions on applications: in istruttoria, accepted (enrolments at the computed tariff), refused.

Every decision notifies the family (portal message + e-mail, once per decision).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuni.models import User
from consumatori.models import Consumatore, Relazione, Tutore
from consumatori.storico import storico_classi_sync
from notifiche.services import notifica_send
from pagamenti.models import Servizio
from trasporto.models import Iscrizione
from trasporto.services import iscrizione_create

from .applica import iscrizione_mensa_imposta, primo_del_mese_prossimo, tariffa_mensa_of, tariffe_ricalcola
from .models import Domanda, SituazioneIsee, StatoDomanda, TipoDieta
from .selectors import oggi
from .tariffe import ContestoTariffe, fratelli_of, tariffa_calcola

MOTIVO_RIFIUTO_ERROR = _("Indica il motivo per cui la domanda è respinta.")
GIA_DECISA_ERROR = _("La domanda %(protocollo)s è già decisa o ritirata.")
ANNO_FINITO_ERROR = _("L'anno scolastico della domanda %(protocollo)s è già finito.")
DA_DECIDERE = (StatoDomanda.INVIATA, StatoDomanda.IN_ISTRUTTORIA)


def _notify(domanda: Domanda, esito: str, testo: str) -> None:
    notifica_send(comune=domanda.comune, user=domanda.utente, consumatore=domanda.consumatore,
                  titolo=f"Domanda di iscrizione {domanda.protocollo}: {esito}", testo=testo,
                  chiave=f"domanda:{domanda.pk}:{domanda.stato}")


def domande_istruttoria(*, domande: Iterable[Domanda], da: User) -> int:
    """Staff start examining the applications (inviata → in istruttoria)."""
    n = 0
    for domanda in domande:
        with transaction.atomic():
            changed = Domanda.objects.filter(pk=domanda.pk, stato=StatoDomanda.INVIATA).update(
                stato=StatoDomanda.IN_ISTRUTTORIA)
            if changed:
                domanda.refresh_from_db()
                _notify(domanda, "in istruttoria", f"L'ufficio scuola sta esaminando la domanda di {domanda.nome} "
                                                   f"{domanda.cognome} (protocollo {domanda.protocollo}).")
                n += 1
    return n


@transaction.atomic
def domanda_respingi(*, domanda: Domanda, motivo: str, da: User) -> Domanda:
    """Refuse an application, always with the reason the family reads."""
    motivo = (motivo or "").strip()
    if not motivo:
        raise ValidationError({"motivazione": MOTIVO_RIFIUTO_ERROR})
    changed = Domanda.objects.filter(pk=domanda.pk, stato__in=DA_DECIDERE).update(
        stato=StatoDomanda.RESPINTA, motivazione=motivo, decisa_da=da, decisa_il=timezone.now())
    if not changed:
        raise ValidationError(GIA_DECISA_ERROR, params={"protocollo": domanda.protocollo})
    domanda.refresh_from_db()
    _notify(domanda, "respinta", f"La domanda di {domanda.nome} {domanda.cognome} (protocollo {domanda.protocollo}) "
                                 f"è stata respinta. Motivo: {motivo}")
    return domanda


def _consumatore_for(domanda: Domanda) -> Consumatore:
    """The linked child, the comune's consumer with that codice fiscale, or a new one; linked to the family."""
    consumatore = domanda.consumatore or Consumatore.objects.filter(codice_fiscale=domanda.codice_fiscale).first()
    if consumatore is None:
        consumatore = Consumatore(comune_id=domanda.comune_id, nome=domanda.nome, cognome=domanda.cognome,
                                  codice_fiscale=domanda.codice_fiscale, data_nascita=domanda.data_nascita,
                                  classe=domanda.classe)
        # The codice fiscale was checked when the family sent the form (the check costs ~30 ms).
        consumatore.full_clean(exclude=["codice_fiscale", "classe", "comune"])
        consumatore.save()
        storico_classi_sync(comune=domanda.comune, consumatore_ids=[consumatore.pk])
    if not Tutore.objects.filter(consumatore=consumatore, utente=domanda.utente).exists():
        utente = domanda.utente
        Tutore.objects.create(comune_id=domanda.comune_id, consumatore=consumatore, utente=utente,
                              nome=utente.first_name or "-", cognome=utente.last_name or "-", email=utente.email,
                              codice_fiscale=utente.codice_fiscale or "", relazione=Relazione.GENITORE,
                              collegato_il=timezone.now())
    return consumatore


def dieta_da_domanda(*, domanda: Domanda, consumatore: Consumatore) -> None:
    """HOOK for the diet model of mensa (branch `menu`): once merged, create the consumer's diet from
    domanda.dieta (TipoDieta), domanda.dieta_descrizione and domanda.certificato here. Until then the
    request reaches operators and the kitchen count through Consumatore.dieta_speciale / note_dieta."""
    if not domanda.dieta:
        return
    etichetta = TipoDieta(domanda.dieta).label
    nota = f"{etichetta}: {domanda.dieta_descrizione}".strip()
    if nota not in consumatore.note_dieta:
        consumatore.note_dieta = f"{consumatore.note_dieta}\n{nota}".strip()
    consumatore.dieta_speciale = True
    consumatore.save(update_fields=["dieta_speciale", "note_dieta"])


def _accogli(domanda: Domanda, *, da: User, contesto: ContestoTariffe, dal: datetime.date) -> list[str]:
    consumatore = _consumatore_for(domanda)
    anno = domanda.anno_scolastico
    situazione, _created = SituazioneIsee.objects.update_or_create(
        consumatore=consumatore, anno_scolastico=anno,
        defaults={"comune_id": domanda.comune_id, "isee": domanda.isee, "protocollo_dsu": domanda.protocollo_dsu,
                  "aggiornata_da": da},
    )
    tariffe = []
    if domanda.mensa:
        calcolo = tariffa_calcola(consumatore=consumatore, servizio=Servizio.MENSA, anno_scolastico=anno,
                                  contesto=contesto, isee=domanda.isee)
        iscrizione_mensa_imposta(consumatore=consumatore, dal=dal, al=anno.data_fine,
                                 tariffa=tariffa_mensa_of(calcolo=calcolo, comune_id=domanda.comune_id))
        tariffe.append(f"mensa: {calcolo.descrizione}")
    if domanda.trasporto:
        calcolo = tariffa_calcola(consumatore=consumatore, servizio=Servizio.TRASPORTO, anno_scolastico=anno,
                                  contesto=contesto, isee=domanda.isee)
        if not Iscrizione.objects.filter(consumatore=consumatore, data_inizio__lte=anno.data_fine,
                                         data_fine__gte=dal).exists():
            iscrizione_create(consumatore=consumatore, linea=domanda.linea, fermata=domanda.fermata,
                              percorso=domanda.percorso, data_inizio=dal, data_fine=anno.data_fine,
                              fascia=calcolo.fascia, esente=calcolo.esente, riduzione_fratelli=bool(calcolo.riduzione),
                              riduzione_percentuale=calcolo.riduzione, note=f"Domanda {domanda.protocollo}")
        tariffe.append(f"trasporto: {calcolo.descrizione}")
    dieta_da_domanda(domanda=domanda, consumatore=consumatore)
    Domanda.objects.filter(pk=domanda.pk).update(
        stato=StatoDomanda.ACCOLTA, consumatore=consumatore, decisa_da=da, decisa_il=timezone.now())
    domanda.stato, domanda.consumatore = StatoDomanda.ACCOLTA, consumatore
    _notify(domanda, "accolta", f"La domanda di {domanda.nome} {domanda.cognome} (protocollo {domanda.protocollo}) "
                                f"è stata accolta dal {dal:%d/%m/%Y}. Tariffe: {'; '.join(tariffe)}.")
    return tariffe


def domande_accogli(
    *, domande: Iterable[Domanda], da: User, giorno: datetime.date | None = None
) -> tuple[int, list[str]]:
    """Accept applications: consumer, ISEE, canteen and bus enrolments at the computed tariff.

    One transaction per application (a bad one does not undo the others: its message is returned);
    eldest first, so siblings accepted together get their places right at once. Returns (accepted, errors).
    """
    giorno = giorno or oggi()
    domande = sorted(
        Domanda.objects.filter(pk__in=[d.pk for d in domande], stato__in=DA_DECIDERE)
        .select_related("anno_scolastico", "comune", "utente", "linea__anno_scolastico", "fermata", "consumatore"),
        key=lambda d: (d.data_nascita, d.pk),
    )
    contesti: dict[int, ContestoTariffe] = {}
    accolte, errori, fratelli = 0, [], set()
    for domanda in domande:
        anno = domanda.anno_scolastico
        dal = max(anno.data_inizio, giorno)
        if dal > anno.data_fine:
            errori.append(ValidationError(ANNO_FINITO_ERROR, params={"protocollo": domanda.protocollo}))
            continue
        contesto = contesti.get(anno.pk) or contesti.setdefault(
            anno.pk, ContestoTariffe.load(comune=domanda.comune, giorno=dal))
        try:
            with transaction.atomic():
                Domanda.objects.select_for_update().filter(pk=domanda.pk, stato__in=DA_DECIDERE).get()
                _accogli(domanda, da=da, contesto=contesto, dal=dal)
        except (ValidationError, Domanda.DoesNotExist) as error:
            errori.append(error if isinstance(error, ValidationError) else ValidationError(
                GIA_DECISA_ERROR, params={"protocollo": domanda.protocollo}))
            continue
        accolte += 1
        fratelli.update((pk, anno.pk) for pk in Consumatore.objects.filter(
            fratelli_of(consumatore=domanda.consumatore), data_nascita__gt=domanda.data_nascita,
        ).exclude(pk__in=[d.consumatore_id for d in domande if d.consumatore_id]).values_list("pk", flat=True))
    # Younger siblings enrolled before: their place moved, from next month on.
    for pk, anno_pk in fratelli:
        anno = next(d.anno_scolastico for d in domande if d.anno_scolastico_id == anno_pk)
        tariffe_ricalcola(consumatore=Consumatore.objects.get(pk=pk), anno_scolastico=anno,
                          dal=max(primo_del_mese_prossimo(giorno), anno.data_inizio))
    return accolte, [" ".join(e.messages) for e in errori]

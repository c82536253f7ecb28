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
from consumatori.models import AnnoScolastico, Consumatore
from mensa.menu.models import DietaConsumatore
from notifiche.services import NotificaDaInviare, notifica_send, notifiche_send_bulk
from pagamenti.models import Servizio
from trasporto.models import Iscrizione

from .accoglienza_lotto import (
    Lotto,
    bus_errori,
    calcola,
    lotto_carica,
    lotto_scrivi,
    mensa_imposta,
    nuovo_consumatore,
    tariffa_mensa,
    tutore_nuovo,
)
from .applica import primo_del_mese_prossimo, tariffe_ricalcola
from .conservazione import certificato_elimina
from .models import Domanda, SituazioneIsee, StatoDomanda
from .selectors import oggi

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
    certificato_elimina(domanda=domanda)  # a refused application's certificate is deleted at once
    _notify(domanda, "respinta", f"La domanda di {domanda.nome} {domanda.cognome} (protocollo {domanda.protocollo}) "
                                 f"è stata respinta. Motivo: {motivo}")
    return domanda


def _decidi(lotto: Lotto, domanda: Domanda, now) -> None:
    """Accept one application of the batch in memory; a ValidationError leaves the batch untouched."""
    ref = domanda.consumatore_id or lotto.per_cf.get(domanda.codice_fiscale)
    nuovo = None
    if ref is None:
        ref, nuovo = nuovo_consumatore(lotto, domanda)
        lotto.famiglie.nascita[ref] = domanda.data_nascita
    # Everything that can refuse the application is checked before anything is recorded.
    if domanda.mensa and (ref, Servizio.MENSA) not in lotto.esenzioni:
        lotto.contesto.tariffa_mensa_per(domanda.isee)
    bus_attivo = any(inizio <= lotto.anno.data_fine and fine >= lotto.dal for inizio, fine in lotto.bus[ref])
    if domanda.trasporto and not bus_attivo and (errors := bus_errori(lotto, domanda)):
        raise ValidationError(errors)
    if nuovo is not None:
        lotto.consumatori[ref] = nuovo
        lotto.per_cf[domanda.codice_fiscale] = ref
        lotto.nuovi += 1
    consumatore = lotto.consumatori.get(ref) or domanda.consumatore
    lotto.consumatori[ref] = consumatore
    if domanda.utente_id not in lotto.famiglie.utenti[ref]:
        tutore = tutore_nuovo(domanda, now)
        lotto.nuovi_tutori[ref, domanda.utente_id] = tutore
        lotto.famiglie.tutore(ref, tutore.utente_id, tutore.codice_fiscale)
    lotto.situazioni[ref] = SituazioneIsee(comune_id=domanda.comune_id, anno_scolastico=lotto.anno, isee=domanda.isee,
                                           protocollo_dsu=domanda.protocollo_dsu, aggiornata_da=lotto.da)
    tariffe = []
    if domanda.mensa:
        calcolo = calcola(lotto, ref, Servizio.MENSA, domanda.isee)
        mensa_imposta(lotto, ref, tariffa_mensa(lotto, calcolo))
        tariffe.append(f"mensa: {calcolo.descrizione_messaggio}")
    if domanda.trasporto:
        calcolo = calcola(lotto, ref, Servizio.TRASPORTO, domanda.isee)
        if not bus_attivo:
            iscrizione = Iscrizione(
                comune_id=domanda.comune_id, linea=domanda.linea, fermata=domanda.fermata, percorso=domanda.percorso,
                data_inizio=lotto.dal, data_fine=lotto.anno.data_fine, fascia=calcolo.fascia, esente=calcolo.esente,
                riduzione_fratelli=bool(calcolo.riduzione), riduzione_percentuale=calcolo.riduzione,
                note=f"Domanda {domanda.protocollo}")
            iscrizione._ref = ref
            lotto.nuove_bus.append(iscrizione)
            lotto.bus[ref].append((lotto.dal, lotto.anno.data_fine))
            lotto.famiglie.iscritti[Servizio.TRASPORTO].add(ref)
        tariffe.append(f"trasporto: {calcolo.descrizione_messaggio}")
    dieta_da_domanda(lotto=lotto, domanda=domanda, ref=ref)
    lotto.accolte.append((domanda, ref, tariffe))


def dieta_da_domanda(*, lotto: Lotto, domanda: Domanda, ref: int) -> None:
    """The diet asked: the comune's diet type (picked by the family, or by staff for "altra") from the
    start of the enrolment to the end of the school year, referencing the application's certificate.
    An "altra" request staff left without a type stays a note for operators and the kitchen."""
    if domanda.tipo_dieta_id:
        fine = lotto.anno.data_fine
        if any(d.tipo_id == domanda.tipo_dieta_id and d.data_inizio <= fine
               and (d.data_fine is None or d.data_fine >= lotto.dal) for d in lotto.diete[ref]):
            return  # the child already follows that diet then
        certificato = f"Certificato della domanda {domanda.protocollo}" if domanda.certificato else ""
        dieta = DietaConsumatore(comune_id=domanda.comune_id, tipo_id=domanda.tipo_dieta_id, data_inizio=lotto.dal,
                                 data_fine=fine, note=domanda.dieta_descrizione, certificato=certificato)
        dieta._ref = ref
        lotto.diete[ref].append(dieta)
        lotto.nuove_diete.append(dieta)
        return
    if not domanda.dieta_descrizione.strip():
        return
    consumatore = lotto.consumatori[ref]
    nota = f"{domanda.get_dieta_display()}: {domanda.dieta_descrizione}".strip()
    if nota not in consumatore.note_dieta:
        consumatore.note_dieta = f"{consumatore.note_dieta}\n{nota}".strip()
    consumatore.dieta_speciale = True
    if consumatore.pk:
        lotto.note_dieta.append(consumatore)


def _accogli_anno(
    domande: list[Domanda], *, anno: AnnoScolastico, da: User | None, giorno: datetime.date, errori: list
) -> list[Domanda]:
    """Accept one school year's applications of the batch; returns the accepted ones."""
    dal = max(anno.data_inizio, giorno)
    if dal > anno.data_fine:
        errori.extend(ValidationError(ANNO_FINITO_ERROR, params={"protocollo": d.protocollo}) for d in domande)
        return []
    lotto = lotto_carica(domande=domande, anno=anno, dal=dal, da=da)
    now = timezone.now()
    for domanda in domande:
        try:
            _decidi(lotto, domanda, now)
        except ValidationError as error:
            errori.append(error)
    lotto_scrivi(lotto)
    notifiche_send_bulk([
        NotificaDaInviare(
            comune=domanda.comune, user=domanda.utente, consumatore=domanda.consumatore,
            titolo=f"Domanda di iscrizione {domanda.protocollo}: accolta",
            chiave=f"domanda:{domanda.pk}:{domanda.stato}",
            testo=f"La domanda di {domanda.nome} {domanda.cognome} (protocollo {domanda.protocollo}) "
                  f"è stata accolta dal {dal:%d/%m/%Y}. Tariffe: {'; '.join(tariffe)}.")
        for domanda, _ref, tariffe in lotto.accolte
    ])
    # Younger siblings enrolled before, outside the batch: their place moved, from next month on.
    nel_lotto = {ref for _domanda, ref, _tariffe in lotto.accolte}
    iscritti = lotto.famiglie.iscritti[Servizio.MENSA] | lotto.famiglie.iscritti[Servizio.TRASPORTO]
    spostati = sorted({
        fratello for domanda, ref, _tariffe in lotto.accolte for fratello in lotto.famiglie.fratelli(ref)
        if fratello not in nel_lotto and fratello in iscritti
        and lotto.famiglie.nascita[fratello] > domanda.data_nascita
    })
    for consumatore in Consumatore.objects.filter(pk__in=spostati).select_related("comune"):
        tariffe_ricalcola(consumatore=consumatore, anno_scolastico=anno,
                          dal=max(primo_del_mese_prossimo(giorno), anno.data_inizio))
    return [domanda for domanda, _ref, _tariffe in lotto.accolte]


@transaction.atomic
def domande_accogli(
    *, domande: Iterable[Domanda], da: User | None, giorno: datetime.date | None = None
) -> tuple[int, list[str]]:
    """Accept applications: consumer, guardian, ISEE, canteen and bus enrolments at the computed tariff,
    diet; one transaction for the batch, a fixed number of queries (iscrizioni.accoglienza_lotto).

    The applications still to decide are locked, so a concurrent acceptance of the same ones waits and
    then finds them decided. Eldest first, so siblings accepted together get their places right at
    once. An application the rules refuse is left as it is and its message returned:
    (accepted, errors).
    """
    giorno = giorno or oggi()
    domande = sorted(
        Domanda.objects.select_for_update(of=("self",))
        .filter(pk__in=[d.pk for d in domande], stato__in=DA_DECIDERE)
        .select_related("anno_scolastico__comune", "comune", "utente", "linea__anno_scolastico", "fermata",
                        "consumatore"),
        key=lambda d: (d.data_nascita, d.pk),
    )
    per_anno: dict[int, list[Domanda]] = {}
    for domanda in domande:
        per_anno.setdefault(domanda.anno_scolastico_id, []).append(domanda)
    accolte, errori = 0, []
    for gruppo in per_anno.values():
        accolte += len(_accogli_anno(gruppo, anno=gruppo[0].anno_scolastico, da=da, giorno=giorno, errori=errori))
    return accolte, [" ".join(e.messages) for e in errori]

"""The life of the applications' health and ISEE data (GDPR art. 5(1)(e), 9, 17).

- A draft's replaced certificate, and the certificate of a withdrawn or refused application: deleted at once.
- An accepted application's certificate: kept while the diet it supports is in force, at least to the end of
  the application's school year, plus the comune's `certificati_giorni`.
- After the comune's `domande_mesi` (from the end of the school year for accepted applications, from the
  decision or withdrawal otherwise) the application is anonymised: protocol, year, services, school, state and
  dates stay; the child's name, codice fiscale, birth date, ISEE, DSU protocol, diet and certificate go, and so
  does the link to the family's account and to the child.
- Drafts never sent are deleted whole after `BOZZA_GIORNI`.
- The ISEE recorded per child and school year (SituazioneIsee, the tariffs' input) goes with the applications
  of that year: `domande_mesi` after the year's end.
- The staff's certificate downloads (AccessoCertificato) are deleted after `accessi_mesi`.
- An accepted erasure request (comuni.dati_personali) anonymises the family's applications at once.

Files are deleted before the rows that name them are written: a failure in between leaves a row naming a
missing file (the view answers 404, the next run clears it), never a file that no row names.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from comuni.models import Comune, User
from omnibus import stamps
from omnibus.storage import file_delete, private_storage

from .models import AccessoCertificato, ConservazioneDati, Domanda, SituazioneIsee, StatoDomanda
from .selectors import oggi

logger = logging.getLogger(__name__)

BOZZA_GIORNI = 30  # a draft not sent within a month is abandoned: its certificate must not wait for it
CHIUSE = (StatoDomanda.RESPINTA, StatoDomanda.RITIRATA)
# What anonymisation writes: the personal and health data of the child and the family, gone.
ANONIMA = {
    "utente": None, "consumatore": None, "nome": "", "cognome": "", "codice_fiscale": "", "data_nascita": None,
    "fermata": None, "isee": None, "protocollo_dsu": "", "tipo_dieta": None, "dieta": "", "dieta_descrizione": "",
    "certificato": "", "certificato_tipo": "", "motivazione": "",
}


def conservazione_of(comune: Comune) -> ConservazioneDati:
    """The comune's retention settings, or the defaults when staff never saved them."""
    return ConservazioneDati.objects.filter(comune=comune).first() or ConservazioneDati(comune=comune)


def certificato_file_delete(name: str) -> bool:
    """Delete one certificate file from the private storage (True if it was there)."""
    return file_delete(private_storage(), name)


def certificato_elimina(*, domanda: Domanda) -> bool:
    """Delete the application's certificate now (file, then the reference). True if there was one."""
    if not domanda.certificato:
        return False
    certificato_file_delete(domanda.certificato.name)
    now = timezone.now()
    Domanda.objects.filter(pk=domanda.pk).update(certificato="", certificato_tipo="", certificato_eliminato_il=now)
    domanda.certificato, domanda.certificato_tipo, domanda.certificato_eliminato_il = "", "", now
    return True


def _anonimizza(domande: list[Domanda]) -> int:
    """Anonymise these applications: their files first, then one UPDATE."""
    if not domande:
        return 0
    for domanda in domande:
        if domanda.certificato:
            certificato_file_delete(domanda.certificato.name)
    now = timezone.now()
    con_certificato = [d.pk for d in domande if d.certificato]
    utenti = {d.utente_id for d in domande if d.utente_id}
    n = Domanda.objects.filter(pk__in=[d.pk for d in domande]).update(**ANONIMA, anonimizzata_il=now)
    Domanda.objects.filter(pk__in=con_certificato).update(certificato_eliminato_il=now)
    stamps.utenti_changed(list(utenti))  # update(): no model signal
    return n


def _bozze_elimina(bozze: list[Domanda]) -> int:
    for bozza in bozze:
        if bozza.certificato:
            certificato_file_delete(bozza.certificato.name)
    deleted, _ = Domanda.objects.filter(pk__in=[b.pk for b in bozze], stato=StatoDomanda.BOZZA).delete()
    return deleted


@transaction.atomic
def domande_famiglia_cancella(*, user: User, comune: Comune) -> int:
    """An accepted erasure request: the family's drafts are deleted, its applications still to decide are
    withdrawn, and every application of the family in this comune is anonymised with its certificate."""
    domande = list(Domanda.objects.select_for_update().filter(comune=comune, utente=user))
    _bozze_elimina([d for d in domande if d.stato == StatoDomanda.BOZZA])
    inviate = [d for d in domande if d.stato != StatoDomanda.BOZZA]
    Domanda.objects.filter(pk__in=[d.pk for d in inviate], stato__in=[StatoDomanda.INVIATA,
                                                                      StatoDomanda.IN_ISTRUTTORIA]).update(
        stato=StatoDomanda.RITIRATA, decisa_il=timezone.now())
    return _anonimizza(inviate)


def domande_famiglia_esporta(*, user: User, comune: Comune) -> list[dict]:
    """The family's applications in this comune, for "I miei dati" (drafts too: they hold its data)."""
    righe = (Domanda.objects.filter(comune=comune, utente=user)
             .select_related("anno_scolastico", "scuola", "classe", "linea", "fermata", "tipo_dieta")
             .order_by("creata_il", "pk"))
    return [
        {
            "protocollo": d.protocollo, "stato": d.get_stato_display(), "anno_scolastico": str(d.anno_scolastico),
            "nome": d.nome, "cognome": d.cognome, "codice_fiscale": d.codice_fiscale,
            "data_nascita": d.data_nascita.isoformat() if d.data_nascita else "",
            "scuola": d.scuola.nome, "classe": d.classe.denominazione if d.classe else "",
            "servizi": ", ".join(d.servizi), "linea": d.linea.nome if d.linea else "",
            "fermata": d.fermata.nome if d.fermata else "", "tratte": d.get_percorso_display() if d.percorso else "",
            "isee": str(d.isee) if d.isee is not None else "", "protocollo_dsu": d.protocollo_dsu,
            "dieta": d.tipo_dieta.nome if d.tipo_dieta else d.get_dieta_display() if d.dieta else "",
            "dieta_descrizione": d.dieta_descrizione, "certificato_medico": bool(d.certificato),
            "consenso_privacy_il": d.consenso_privacy_il.isoformat() if d.consenso_privacy_il else "",
            "inviata_il": d.inviata_il.isoformat() if d.inviata_il else "",
            "decisa_il": d.decisa_il.isoformat() if d.decisa_il else "", "motivazione": d.motivazione,
        }
        for d in righe
    ]


# --- the daily job -----------------------------------------------------------------------------------


@dataclass
class EsitoConservazione:
    certificati: int = 0
    anonimizzate: int = 0
    bozze: int = 0
    accessi: int = 0
    isee: int = 0


def _certificati_dovuti(*, regole: ConservazioneDati, giorno: datetime.date) -> list[Domanda]:
    """The certificates whose time is over: refused or withdrawn applications (left over, e.g. a failed
    deletion), and accepted ones whose diet ended, past the school year and the comune's days."""
    from mensa.menu.models import DietaConsumatore

    candidate = list(
        Domanda.objects.exclude(certificato="").filter(stato__in=[*CHIUSE, StatoDomanda.ACCOLTA])
        .select_related("anno_scolastico")
    )
    accolte = [d for d in candidate if d.stato == StatoDomanda.ACCOLTA]
    riferimenti = {f"Certificato della domanda {d.protocollo}": d for d in accolte}
    fine_dieta: dict[int, datetime.date | None] = {}
    for dieta in DietaConsumatore.objects.filter(certificato__in=list(riferimenti)).only(
            "certificato", "data_fine", "consumatore_id"):
        domanda = riferimenti[dieta.certificato]
        if dieta.consumatore_id != domanda.consumatore_id:
            continue
        if dieta.data_fine is None or fine_dieta.get(domanda.pk, datetime.date.min) is None:
            fine_dieta[domanda.pk] = None  # a diet without an end: still in force
        else:
            fine_dieta[domanda.pk] = max(fine_dieta.get(domanda.pk, datetime.date.min), dieta.data_fine)
    dovuti = [d for d in candidate if d.stato in CHIUSE]
    margine = datetime.timedelta(days=regole.certificati_giorni)
    for domanda in accolte:
        if domanda.pk in fine_dieta and fine_dieta[domanda.pk] is None:
            continue
        fine = max(fine_dieta.get(domanda.pk, datetime.date.min), domanda.anno_scolastico.data_fine)
        if giorno > fine + margine:
            dovuti.append(domanda)
    return dovuti


def _domande_dovute(*, regole: ConservazioneDati, giorno: datetime.date,
                    certificati_tenuti: set[int]) -> list[Domanda]:
    """The decided applications past the comune's months, except an accepted one whose certificate must stay."""
    soglia = giorno - relativedelta(months=regole.domande_mesi)
    soglia_decisione = timezone.make_aware(datetime.datetime.combine(soglia, datetime.time.min))
    return [
        d for d in Domanda.objects.filter(anonimizzata_il__isnull=True).filter(
            Q(stato=StatoDomanda.ACCOLTA, anno_scolastico__data_fine__lt=soglia)
            | Q(stato__in=CHIUSE, decisa_il__lt=soglia_decisione)
        ).only("pk", "certificato", "utente_id")
        if d.pk not in certificati_tenuti
    ]


def conservazione_applica(*, comune: Comune, giorno: datetime.date | None = None) -> EsitoConservazione:
    """Apply the comune's retention (inside its scope): certificates, applications, drafts, download log."""
    giorno = giorno or oggi()
    regole = conservazione_of(comune)
    esito = EsitoConservazione()
    for domanda in _certificati_dovuti(regole=regole, giorno=giorno):
        esito.certificati += certificato_elimina(domanda=domanda)
    tenuti = set(Domanda.objects.filter(stato=StatoDomanda.ACCOLTA).exclude(certificato="")
                 .values_list("pk", flat=True))
    with transaction.atomic():
        esito.anonimizzate = _anonimizza(_domande_dovute(regole=regole, giorno=giorno, certificati_tenuti=tenuti))
    inizio_bozze = timezone.make_aware(datetime.datetime.combine(giorno - datetime.timedelta(days=BOZZA_GIORNI),
                                                                 datetime.time.min))
    esito.bozze = _bozze_elimina(list(Domanda.objects.filter(stato=StatoDomanda.BOZZA, creata_il__lt=inizio_bozze)
                                      .only("pk", "certificato")))
    # The ISEE recorded per child and year (tariffs): gone with the applications of that year.
    soglia_isee = giorno - relativedelta(months=regole.domande_mesi)
    esito.isee, _ = SituazioneIsee.objects.filter(anno_scolastico__data_fine__lt=soglia_isee).delete()
    soglia_accessi = timezone.make_aware(datetime.datetime.combine(
        giorno - relativedelta(months=regole.accessi_mesi), datetime.time.min))
    esito.accessi, _ = AccessoCertificato.objects.filter(scaricato_il__lt=soglia_accessi).delete()
    # Counts only, never a name: the log is read by whoever runs the platform.
    logger.info("conservazione dati comune=%s certificati_cancellati=%d domande_anonimizzate=%d bozze_cancellate=%d "
                "download_cancellati=%d isee_cancellati=%d", comune.slug, esito.certificati, esito.anonimizzate,
                esito.bozze, esito.accessi, esito.isee)
    return esito

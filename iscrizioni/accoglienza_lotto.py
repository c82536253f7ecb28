"""Bulk acceptance of one school year's applications, set-based: a fixed number of queries per batch.

What the rules need is read once (tariff tables, consumers by codice fiscale, guardians, siblings and
their enrolments, exemptions, existing diets); each application is then decided in Python in the
order of accoglienza (eldest first, so the sibling places match the one-by-one rule of
iscrizioni.tariffe exactly), and the writes go out with bulk_create / bulk_update at the end.
An application the rules refuse leaves nothing behind: its consumer, guardian and enrolments are
only written when it is accepted.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from comuni.models import User
from consumatori.models import AnnoScolastico, Consumatore, Relazione, Tutore
from consumatori.storico import storico_classi_sync
from mensa.menu.models import DietaConsumatore
from mensa.models import IscrizioneMensa, Tariffa
from pagamenti.models import Servizio
from trasporto.models import DATE_FUORI_ANNO_ERROR, FERMATA_LINEA_ERROR, LINEA_COMUNE_ERROR, Iscrizione

from .applica import ESENZIONE_NOME
from .models import Domanda, Esenzione, SituazioneIsee, StatoDomanda
from .tariffe import ZERO, ContestoTariffe, TariffaCalcolata

UN_GIORNO = datetime.timedelta(days=1)
NUOVO = 10**15  # new consumers sort after every existing one (their ids come later), in creation order


@dataclass
class Famiglie:
    """Guardians and enrolments of the batch's consumers and their siblings, kept current in memory.

    A consumer is a `ref`: its pk, or NUOVO + n for the n-th new one (not yet saved)."""

    nascita: dict[int, datetime.date] = field(default_factory=dict)
    utenti: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))  # ref -> guardians' accounts
    cf: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))  # ref -> guardians' codici fiscali
    per_utente: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    per_cf: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    iscritti: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))  # servizio -> refs that year

    def tutore(self, ref: int, utente_id: int | None, cf: str) -> None:
        if utente_id:
            self.utenti[ref].add(utente_id)
            self.per_utente[utente_id].add(ref)
        if cf:
            self.cf[ref].add(cf)
            self.per_cf[cf].add(ref)

    def fratelli(self, ref: int) -> set[int]:
        """iscrizioni.tariffe.fratelli_of: the other children sharing a guardian (account or codice fiscale)."""
        found = set().union(*(self.per_utente[u] for u in self.utenti[ref]), *(self.per_cf[c] for c in self.cf[ref]))
        found.discard(ref)
        return found

    def rango(self, ref: int, servizio: str) -> int:
        """iscrizioni.tariffe.rango_fratello: 1 + the enrolled siblings born before (then by id)."""
        key = (self.nascita[ref], ref)
        return 1 + sum(1 for f in self.fratelli(ref) & self.iscritti[servizio] if (self.nascita[f], f) < key)


@dataclass
class Lotto:
    """One school year's batch: what was read, and the rows to write."""

    anno: AnnoScolastico
    dal: datetime.date
    contesto: ContestoTariffe
    da: User | None
    famiglie: Famiglie = field(default_factory=Famiglie)
    consumatori: dict[int, Consumatore] = field(default_factory=dict)  # ref -> consumer
    per_cf: dict[str, int] = field(default_factory=dict)  # codice fiscale -> ref
    nuovi: int = 0  # new consumers accepted so far
    mensa: dict[int, list[IscrizioneMensa]] = field(default_factory=lambda: defaultdict(list))
    bus: dict[int, list[tuple[datetime.date, datetime.date]]] = field(default_factory=lambda: defaultdict(list))
    esenzioni: dict[tuple[int, str], str] = field(default_factory=dict)
    diete: dict[int, list[DietaConsumatore]] = field(default_factory=lambda: defaultdict(list))
    tariffe_speciali: dict[object, Tariffa] = field(default_factory=dict)  # "esente" / (base pk, riduzione)
    # Writes.
    nuovi_tutori: dict[tuple[int, int], Tutore] = field(default_factory=dict)
    situazioni: dict[int, SituazioneIsee] = field(default_factory=dict)
    mensa_aggiornate: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))  # id(row) -> fields
    nuove_mensa: list[IscrizioneMensa] = field(default_factory=list)
    nuove_bus: list[Iscrizione] = field(default_factory=list)
    nuove_diete: list[DietaConsumatore] = field(default_factory=list)
    note_dieta: list[Consumatore] = field(default_factory=list)  # existing consumers given an "altra" diet note
    accolte: list[tuple[Domanda, int, list[str]]] = field(default_factory=list)  # (domanda, ref, tariffe)


def lotto_carica(*, domande: list[Domanda], anno: AnnoScolastico, dal: datetime.date, da: User | None) -> Lotto:
    """Read what the batch needs (about ten queries, whatever the number of applications)."""
    comune = anno.comune
    lotto = Lotto(anno=anno, dal=dal, contesto=ContestoTariffe.load(comune=comune, giorno=dal), da=da)
    collegati = {d.consumatore_id for d in domande if d.consumatore_id}
    codici = {d.codice_fiscale for d in domande if not d.consumatore_id}
    # Lock the consumers as the one-by-one enrolment services do.
    bloccati = Consumatore.objects.select_for_update().filter(Q(pk__in=collegati) | Q(codice_fiscale__in=codici))
    for consumatore in bloccati:
        lotto.consumatori[consumatore.pk] = consumatore
        lotto.per_cf.setdefault(consumatore.codice_fiscale, consumatore.pk)
        lotto.famiglie.nascita[consumatore.pk] = consumatore.data_nascita
    esistenti = list(lotto.consumatori)
    # Guardians of the batch's consumers, then every child sharing one of them (with its birth date).
    utenti = {d.utente_id for d in domande}
    cfs = {d.utente.codice_fiscale for d in domande if d.utente.codice_fiscale}
    for utente_id, cf in Tutore.objects.filter(consumatore_id__in=esistenti).values_list("utente_id", "codice_fiscale"):
        if utente_id:
            utenti.add(utente_id)
        if cf:
            cfs.add(cf)
    fratelli = set()
    for ref, utente_id, cf, nascita in Tutore.objects.filter(
        Q(consumatore_id__in=esistenti) | Q(utente_id__in=utenti) | Q(codice_fiscale__in=cfs)
    ).values_list("consumatore_id", "utente_id", "codice_fiscale", "consumatore__data_nascita"):
        lotto.famiglie.tutore(ref, utente_id, cf)
        lotto.famiglie.nascita[ref] = nascita
        fratelli.add(ref)
    fratelli -= set(esistenti)
    nell_anno = Q(data_inizio__lte=anno.data_fine) & (Q(data_fine__isnull=True) | Q(data_fine__gte=anno.data_inizio))
    for row in IscrizioneMensa.objects.filter(Q(consumatore_id__in=esistenti) | (Q(consumatore_id__in=fratelli)
                                                                                   & nell_anno)):
        lotto.mensa[row.consumatore_id].append(row)
        if row.data_inizio <= anno.data_fine and (row.data_fine is None or row.data_fine >= anno.data_inizio):
            lotto.famiglie.iscritti[Servizio.MENSA].add(row.consumatore_id)
    for ref, inizio, fine in Iscrizione.objects.filter(
        consumatore_id__in=[*esistenti, *fratelli], data_inizio__lte=anno.data_fine, data_fine__gte=anno.data_inizio
    ).values_list("consumatore_id", "data_inizio", "data_fine"):
        lotto.bus[ref].append((inizio, fine))
        lotto.famiglie.iscritti[Servizio.TRASPORTO].add(ref)
    for ref, servizio, motivo in Esenzione.objects.filter(consumatore_id__in=esistenti, anno_scolastico=anno) \
            .values_list("consumatore_id", "servizio", "motivo"):
        lotto.esenzioni[ref, servizio] = motivo
    if any(d.tipo_dieta_id for d in domande):
        for dieta in DietaConsumatore.objects.filter(consumatore_id__in=esistenti):
            lotto.diete[dieta.consumatore_id].append(dieta)
    for tariffa in Tariffa.objects.filter(Q(esenzione=True) | Q(tariffa_base__isnull=False)).order_by("pk"):
        if tariffa.esenzione:
            lotto.tariffe_speciali.setdefault("esente", tariffa)
        if tariffa.tariffa_base_id:
            lotto.tariffe_speciali.setdefault((tariffa.tariffa_base_id, tariffa.riduzione_percentuale), tariffa)
    return lotto


def calcola(lotto: Lotto, ref: int, servizio: str, isee: Decimal | None) -> TariffaCalcolata:
    """iscrizioni.tariffe.tariffa_calcola on the batch's data (no query)."""
    motivo = lotto.esenzioni.get((ref, servizio))
    if motivo is not None:
        return TariffaCalcolata(servizio=servizio, isee=isee, rango=1, riduzione=ZERO, esente=True,
                                motivo_esenzione=motivo)
    rango = lotto.famiglie.rango(ref, servizio)
    riduzione = lotto.contesto.riduzione(servizio, rango)
    if servizio == Servizio.MENSA:
        return TariffaCalcolata(servizio=servizio, isee=isee, rango=rango, riduzione=riduzione,
                                tariffa_mensa=lotto.contesto.tariffa_mensa_per(isee))
    return TariffaCalcolata(servizio=servizio, isee=isee, rango=rango, riduzione=riduzione,
                            fascia=lotto.contesto.fascia_per(isee))


def tariffa_mensa(lotto: Lotto, calcolo: TariffaCalcolata) -> Tariffa:
    """iscrizioni.applica.tariffa_mensa_of: a missing exemption or reduced tariff is made once, saved later."""
    comune_id = lotto.anno.comune_id
    if calcolo.esente:
        key, defaults = "esente", {"nome": ESENZIONE_NOME, "esenzione": True}
    elif not calcolo.riduzione:
        return calcolo.tariffa_mensa
    else:
        base = calcolo.tariffa_mensa
        key = (base.pk, calcolo.riduzione)
        defaults = {"nome": f"{base.nome} – fratelli −{calcolo.riduzione.normalize():f} %", "tariffa_base": base,
                    "riduzione_percentuale": calcolo.riduzione, "isee_da": base.isee_da, "isee_a": base.isee_a,
                    "riduzione_fratelli": True}
    if key not in lotto.tariffe_speciali:
        lotto.tariffe_speciali[key] = Tariffa(comune_id=comune_id, **defaults)
    return lotto.tariffe_speciali[key]


def mensa_imposta(lotto: Lotto, ref: int, tariffa: Tariffa) -> None:
    """iscrizioni.applica.iscrizione_mensa_imposta on the consumer's rows in memory."""
    dal, rows = lotto.dal, lotto.mensa[ref]
    correnti = [r for r in rows if r.data_inizio <= dal and (r.data_fine is None or r.data_fine >= dal)]
    corrente = max(correnti, key=lambda r: r.data_inizio, default=None)
    if corrente is None:
        al = lotto.anno.data_fine
        successiva = min((r.data_inizio for r in rows if r.data_inizio > dal), default=None)
        if successiva is not None:
            al = min(al, successiva - UN_GIORNO)
        _mensa_nuova(lotto, ref, tariffa, dal, al)
    elif (tariffa.pk is not None and corrente.tariffa_id == tariffa.pk) or (
            corrente.pk is None and corrente.tariffa is tariffa):
        return
    elif corrente.data_inizio == dal:
        corrente.tariffa = tariffa
        lotto.mensa_aggiornate[id(corrente)].add("tariffa")
    else:
        fine = corrente.data_fine
        corrente.data_fine = dal - UN_GIORNO
        lotto.mensa_aggiornate[id(corrente)].add("data_fine")
        _mensa_nuova(lotto, ref, tariffa, dal, fine)
    lotto.famiglie.iscritti[Servizio.MENSA].add(ref)


def _mensa_nuova(lotto: Lotto, ref: int, tariffa: Tariffa, dal: datetime.date, al: datetime.date | None) -> None:
    row = IscrizioneMensa(comune_id=lotto.anno.comune_id, tariffa=tariffa, data_inizio=dal, data_fine=al)
    lotto.mensa[ref].append(row)
    lotto.nuove_mensa.append(row)
    row._ref = ref


def bus_errori(lotto: Lotto, domanda: Domanda) -> dict[str, list]:
    """trasporto.models.Iscrizione.clean for the enrolment the application asks (no query)."""
    errors: dict[str, list] = {}
    linea = domanda.linea
    if linea is None or domanda.fermata is None:
        return {"linea": [LINEA_COMUNE_ERROR]}
    if linea.comune_id != domanda.comune_id:
        errors["linea"] = [LINEA_COMUNE_ERROR]
    if domanda.fermata.linea_id != linea.pk:
        errors["fermata"] = [FERMATA_LINEA_ERROR]
    anno = linea.anno_scolastico
    if "linea" not in errors and (lotto.dal < anno.data_inizio or lotto.anno.data_fine > anno.data_fine):
        errors["data_inizio"] = [ValidationError(DATE_FUORI_ANNO_ERROR, params={
            "inizio": anno.data_inizio.strftime("%d/%m/%Y"), "fine": anno.data_fine.strftime("%d/%m/%Y")})]
    return errors


def lotto_scrivi(lotto: Lotto) -> None:
    """Write what the batch decided: a handful of INSERTs and UPDATEs."""
    now = timezone.now()
    nuove_tariffe = [t for t in lotto.tariffe_speciali.values() if t.pk is None]
    if nuove_tariffe:
        Tariffa.objects.bulk_create(nuove_tariffe)
    nuovi = [c for c in lotto.consumatori.values() if c.pk is None]
    if nuovi:
        Consumatore.objects.bulk_create(nuovi)
        storico_classi_sync(comune=lotto.anno.comune, consumatore_ids=[c.pk for c in nuovi])
    consumatore = lotto.consumatori.__getitem__
    for (ref, _utente), tutore in lotto.nuovi_tutori.items():
        tutore.consumatore = consumatore(ref)
    if lotto.nuovi_tutori:
        Tutore.objects.bulk_create(lotto.nuovi_tutori.values())
    if lotto.situazioni:
        for ref, situazione in lotto.situazioni.items():
            situazione.consumatore = consumatore(ref)
        SituazioneIsee.objects.bulk_create(
            lotto.situazioni.values(), update_conflicts=True, unique_fields=["consumatore", "anno_scolastico"],
            update_fields=["isee", "protocollo_dsu", "aggiornata_da", "aggiornata_il"],
        )
    aggiornate = [r for rows in lotto.mensa.values() for r in rows if r.pk and id(r) in lotto.mensa_aggiornate]
    for campi in ({"tariffa"}, {"data_fine"}, {"tariffa", "data_fine"}):
        rows = [r for r in aggiornate if lotto.mensa_aggiornate[id(r)] == campi]
        if rows:
            IscrizioneMensa.objects.bulk_update(rows, sorted(campi))
    for row in lotto.nuove_mensa:
        row.consumatore = consumatore(row._ref)
        row.tariffa = row.tariffa  # the exemption or reduced tariff saved above: take its id
    if lotto.nuove_mensa:
        IscrizioneMensa.objects.bulk_create(lotto.nuove_mensa)
    for row in (*lotto.nuove_bus, *lotto.nuove_diete):
        row.consumatore = consumatore(row._ref)
    if lotto.nuove_bus:
        Iscrizione.objects.bulk_create(lotto.nuove_bus)
    if lotto.nuove_diete:
        DietaConsumatore.objects.bulk_create(lotto.nuove_diete)
    if lotto.note_dieta:
        Consumatore.objects.bulk_update(lotto.note_dieta, ["dieta_speciale", "note_dieta"])
    domande = []
    for domanda, ref, _tariffe in lotto.accolte:
        domanda.stato, domanda.consumatore = StatoDomanda.ACCOLTA, consumatore(ref)
        domanda.decisa_da, domanda.decisa_il = lotto.da, now
        domande.append(domanda)
    if domande:
        Domanda.objects.bulk_update(domande, ["stato", "consumatore", "decisa_da", "decisa_il"])


def nuovo_consumatore(lotto: Lotto, domanda: Domanda) -> tuple[int, Consumatore]:
    """The consumer a new child's application creates, checked as accoglienza always did (no query)."""
    consumatore = Consumatore(comune_id=domanda.comune_id, nome=domanda.nome, cognome=domanda.cognome,
                              codice_fiscale=domanda.codice_fiscale, data_nascita=domanda.data_nascita,
                              classe_id=domanda.classe_id)
    # The codice fiscale was checked when the family sent the form (the check costs ~30 ms).
    consumatore.clean_fields(exclude=["codice_fiscale", "classe", "comune"])
    ref = NUOVO + lotto.nuovi
    return ref, consumatore


def tutore_nuovo(domanda: Domanda, now: datetime.datetime) -> Tutore:
    utente = domanda.utente
    return Tutore(comune_id=domanda.comune_id, utente=utente, nome=utente.first_name or "-",
                  cognome=utente.last_name or "-", email=utente.email, codice_fiscale=utente.codice_fiscale or "",
                  relazione=Relazione.GENITORE, collegato_il=now)

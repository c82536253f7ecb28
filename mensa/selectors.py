"""Reads of the canteen: a consumer's month, the operator's list, the kitchen count."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, Exists, FilteredRelation, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuni.models import Comune, Incarico, Ruolo
from consumatori.models import Classe, Consumatore
from consumatori.storico import classe_del_periodo
from pagamenti.models import Movimento, Servizio, TipoMovimento

from .addebito import presenti_queryset
from .calendario import calendari_load, classi_con_servizio_q, giorno_di_servizio
from .cutoff import ROME, cutoff_datetime, cutoff_passed
from .models import Assenza, IscrizioneMensa, Presenza, Sospensione


class Stato:
    NON_DISPONIBILE = "non_disponibile"
    NON_ISCRITTO = "non_iscritto"
    PRENOTATO = "prenotato"
    ASSENTE = "assente"
    CONSUMATO = "consumato"
    PRESENTE = "presente"
    SOSPESO = "sospeso"


ETICHETTE = {
    Stato.NON_DISPONIBILE: _("servizio non disponibile"),
    Stato.NON_ISCRITTO: _("non iscritto alla mensa"),
    Stato.PRENOTATO: _("pasto prenotato"),
    Stato.ASSENTE: _("assente"),
    Stato.CONSUMATO: _("pasto consumato"),
    Stato.PRESENTE: _("presente (rilevato in mensa)"),
    Stato.SOSPESO: _("servizio sospeso"),
}


@dataclass
class Giorno:
    data: datetime.date
    stato: str
    modificabile: bool
    assenza: Assenza | None = None

    @property
    def etichetta(self) -> str:
        return ETICHETTE[self.stato]

    @property
    def servizio(self) -> bool:
        return self.stato != Stato.NON_DISPONIBILE


@dataclass
class Mese:
    inizio: datetime.date
    giorni: list[Giorno]
    pasti_consumati: int
    precedente: datetime.date
    successivo: datetime.date
    classe: Classe | None = None  # the class of that month (class history), not necessarily today's


def _covers(start: datetime.date, end: datetime.date | None, day: datetime.date) -> bool:
    return start <= day and (end is None or day <= end)


def mese_consumatore(
    *, consumatore: Consumatore, mese: datetime.date, now: datetime.datetime | None = None
) -> Mese:
    """Every day of a month with its state, in a fixed number of queries (8, 9 for a month of a past
    school year: its class) whatever the days."""
    now = now or timezone.now()
    comune = consumatore.comune
    inizio = mese.replace(day=1)
    fine = inizio.replace(day=calendar.monthrange(inizio.year, inizio.month)[1])
    classe = classe_del_periodo(consumatore=consumatore, dal=inizio, al=fine)
    cal, chiusure = None, []
    if classe is not None:
        calendari = calendari_load(comune=comune, dal=inizio, al=fine, scuola_id=classe.scuola_id)
        cal = calendari.calendario_scuola(scuola_id=classe.scuola_id, anno_scolastico_id=classe.anno_scolastico_id)
        chiusure = calendari.chiusure
    assenze = {
        a.giorno: a
        for a in Assenza.objects.filter(
            consumatore=consumatore, giorno__range=(inizio, fine), annullata_il__isnull=True
        ).select_related("registrata_da")
    }
    presenze = dict(
        Presenza.objects.filter(consumatore=consumatore, giorno__range=(inizio, fine)).values_list("giorno", "presente")
    )
    sospensioni = list(
        Sospensione.objects.filter(consumatore=consumatore, dal__lte=fine)
        .filter(Q(al__isnull=True) | Q(al__gte=inizio))
        .values_list("dal", "al")
    )
    iscrizioni = list(
        IscrizioneMensa.objects.filter(consumatore=consumatore, data_inizio__lte=fine)
        .filter(Q(data_fine__isnull=True) | Q(data_fine__gte=inizio))
        .values_list("data_inizio", "data_fine")
    )
    pasti = Movimento.objects.filter(consumatore=consumatore, servizio=Servizio.MENSA, tipo=TipoMovimento.PASTO)
    anno = classe.anno_scolastico if classe is not None else None
    if anno is not None:
        pasti = pasti.filter(data_valuta__range=(anno.data_inizio, anno.data_fine))
    consumati_mese: set[datetime.date] = set()
    totale = 0
    for data_valuta in pasti.values_list("data_valuta", flat=True):
        totale += 1
        if inizio <= data_valuta <= fine:
            consumati_mese.add(data_valuta)

    giorni = []
    for n in range((fine - inizio).days + 1):
        day = inizio + datetime.timedelta(n)
        aperto = not cutoff_passed(comune=comune, giorno=day, now=now)
        if day in consumati_mese:
            giorni.append(Giorno(day, Stato.CONSUMATO, False))
        elif classe is None or not giorno_di_servizio(day, cal, chiusure, classe.pk):
            giorni.append(Giorno(day, Stato.NON_DISPONIBILE, False))
        elif not any(_covers(i, f, day) for i, f in iscrizioni):
            giorni.append(Giorno(day, Stato.NON_ISCRITTO, False))
        elif day in presenze:
            giorni.append(Giorno(day, Stato.PRESENTE if presenze[day] else Stato.ASSENTE, False))
        elif day in assenze:
            giorni.append(Giorno(day, Stato.ASSENTE, aperto, assenze[day]))
        elif any(_covers(d, a, day) for d, a in sospensioni):
            giorni.append(Giorno(day, Stato.SOSPESO, False))
        else:
            giorni.append(Giorno(day, Stato.PRENOTATO, aperto))
    precedente = (inizio - datetime.timedelta(1)).replace(day=1)
    successivo = fine + datetime.timedelta(1)
    return Mese(inizio=inizio, giorni=giorni, pasti_consumati=totale, precedente=precedente, successivo=successivo,
                classe=classe)


def giorno_disdetto(*, consumatore: Consumatore, assenza: Assenza, now: datetime.datetime | None = None) -> Giorno:
    """The day a family has just cancelled, as mese_consumatore shows it, in one query instead of the month's.

    The cancellation passed every check of assenza_create (service day, enrolment, cut-off ahead), so no
    meal can be debited yet (the debit runs after the day's cut-off); only a presence the canteen recorded
    wins over it, as in the month."""
    # One plain query on the unique (consumatore, giorno), inside the consumer's comune: a tap of the rush.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT presente FROM {Presenza._meta.db_table} "  # noqa: S608 - the model's table
            "WHERE comune_id = %s AND consumatore_id = %s AND giorno = %s",
            [consumatore.comune_id, consumatore.pk, connection.ops.adapt_datefield_value(assenza.giorno)],
        )
        row = cursor.fetchone()
    presente = None if row is None else bool(row[0])
    if presente is not None:
        return Giorno(assenza.giorno, Stato.PRESENTE if presente else Stato.ASSENTE, False)
    aperto = not cutoff_passed(comune=consumatore.comune, giorno=assenza.giorno, now=now)
    return Giorno(assenza.giorno, Stato.ASSENTE, aperto, assenza)


# --- canteen operators -------------------------------------------------------------------------


def scuole_ids_of(incarico: Incarico) -> list[int] | None:
    """The schools an operator works in; None means every school of the comune."""
    if incarico.ruolo != Ruolo.OPERATORE_MENSA:
        return None
    ids = list(incarico.scuole.values_list("id", flat=True))
    return ids or None


@dataclass
class RigaPresenza:
    consumatore: Consumatore
    prenotato: bool
    sospeso: bool
    presente: bool | None  # the operator's record, None if not recorded yet
    dieta: object = None  # mensa.menu.selectors.DietaDelGiorno for a child on a diet or "in bianco"

    @property
    def mangia(self) -> bool:
        return self.presente if self.presente is not None else self.prenotato


def elenco_operatore(
    *, comune: Comune, giorno: datetime.date, scuole_ids: list[int] | None
) -> list[RigaPresenza]:
    """Consumers of classes with service that day (in the operator's schools), class by class: 3 queries."""
    calendari = calendari_load(comune=comune, dal=giorno, al=giorno)
    servizio_q = classi_con_servizio_q(calendari, giorno, prefix="consumatore__classe__")
    if servizio_q is None:
        return []
    cutoff = cutoff_datetime(comune=comune, giorno=giorno)
    assente = Assenza.objects.filter(
        consumatore=OuterRef("consumatore_id"), giorno=giorno, registrata_il__lte=cutoff
    ).filter(Q(annullata_il__isnull=True) | Q(annullata_il__gt=cutoff))
    sospeso = Sospensione.objects.filter(consumatore=OuterRef("consumatore_id"), dal__lte=giorno).filter(
        Q(al__isnull=True) | Q(al__gte=giorno)
    )
    presenza = Presenza.objects.filter(consumatore=OuterRef("consumatore_id"), giorno=giorno).values("presente")[:1]
    qs = (
        IscrizioneMensa.objects.filter(comune=comune, data_inizio__lte=giorno, consumatore__attivo=True)
        .filter(Q(data_fine__isnull=True) | Q(data_fine__gte=giorno))
        .filter(servizio_q)
        .annotate(assente=Exists(assente), sospeso=Exists(sospeso), presente=Subquery(presenza))
        .select_related("consumatore__classe__scuola")
        .order_by("consumatore__classe__scuola__nome", "consumatore__classe__anno", "consumatore__classe__sezione",
                  "consumatore__cognome", "consumatore__nome", "consumatore_id")
    )
    if scuole_ids is not None:
        qs = qs.filter(consumatore__classe__scuola_id__in=scuole_ids)
    righe, visti = [], set()
    for iscrizione in qs:
        if iscrizione.consumatore_id in visti:
            continue
        visti.add(iscrizione.consumatore_id)
        righe.append(RigaPresenza(
            consumatore=iscrizione.consumatore,
            prenotato=not iscrizione.assente and not iscrizione.sospeso,
            sospeso=iscrizione.sospeso,
            presente=iscrizione.presente,
        ))
    return righe


# --- kitchen count ------------------------------------------------------------------------------


@dataclass
class RigaConteggio:
    scuola: str
    classe: str
    dieta: str  # "" for the ordinary meal; the diets' names, then "in bianco"
    pasti: int
    nomi: list[str] = field(default_factory=list)  # the children with a sanitary diet, for the kitchen
    sanitaria: bool = False


@dataclass
class RiepilogoScuola:
    scuola: str
    pasti: int
    per_dieta: list[tuple[str, int]]  # ("", ordinary meals) first, then each diet label


IN_BIANCO = "in bianco"


def conteggio_cucina(
    *, comune: Comune, giorno: datetime.date, scuole_ids: list[int] | None = None
) -> list[RigaConteggio]:
    """Meals of the day per school, class and diet (with "in bianco"), as booked at the cut-off, with the
    names of the children on a sanitary diet: 3 queries (calendars, closures, one row per child)."""
    from .menu.models import CategoriaDieta, PastoInBianco
    from .menu.selectors import diete_attive_q

    calendari = calendari_load(comune=comune, dal=giorno, al=giorno)
    if classi_con_servizio_q(calendari, giorno) is None:
        return []
    cutoff = cutoff_datetime(comune=comune, giorno=giorno)
    in_bianco = PastoInBianco.objects.filter(comune=comune, giorno=giorno, registrato_il__lte=cutoff).filter(
        Q(annullato_il__isnull=True) | Q(annullato_il__gt=cutoff)
    ).values("consumatore_id")
    qs = presenti_queryset(comune=comune, giorno=giorno, calendari=calendari)
    if scuole_ids is not None:
        qs = qs.filter(consumatore__classe__scuola_id__in=scuole_ids)
    rows = (
        qs.annotate(
            dieta=FilteredRelation("consumatore__diete", condition=diete_attive_q(
                giorno, giorno, prefix="consumatore__diete__")),
            in_bianco=Case(When(consumatore_id__in=in_bianco, then=Value(True)), default=Value(False)),
        )
        .values_list(
            "consumatore_id", "consumatore__cognome", "consumatore__nome", "consumatore__classe__scuola__nome",
            "consumatore__classe__anno", "consumatore__classe__sezione", "dieta__tipo__nome",
            "dieta__tipo__categoria", "in_bianco",
        )
        .order_by("consumatore__classe__scuola__nome", "consumatore__classe__anno", "consumatore__classe__sezione",
                  "consumatore__cognome", "consumatore__nome", "consumatore_id")
    )
    children: dict[int, dict] = {}
    for pk, cognome, nome, scuola, anno, sezione, dieta, categoria, bianco in rows:
        child = children.setdefault(pk, {
            "nome": f"{cognome} {nome}", "scuola": scuola,
            "classe": f"Sezione {sezione}" if anno is None else f"{anno}ª {sezione}",
            "diete": [], "sanitaria": False, "in_bianco": bianco,
        })
        if dieta and dieta not in child["diete"]:
            child["diete"].append(dieta)
            child["sanitaria"] = child["sanitaria"] or categoria == CategoriaDieta.SANITARIA
    groups: dict[tuple[str, str, str], RigaConteggio] = {}
    for child in children.values():
        label = ", ".join(sorted(child["diete"]) + ([IN_BIANCO] if child["in_bianco"] else []))
        riga = groups.setdefault((child["scuola"], child["classe"], label), RigaConteggio(
            child["scuola"], child["classe"], label, 0, sanitaria=child["sanitaria"]))
        riga.pasti += 1
        if child["sanitaria"]:
            riga.nomi.append(child["nome"])
    classi = {key[:2]: n for n, key in reversed(list(enumerate(groups)))}  # first appearance, query order
    return sorted(groups.values(), key=lambda r: (classi[r.scuola, r.classe], r.dieta != "", r.dieta))


def conteggio_per_scuola(righe: list[RigaConteggio]) -> list[RiepilogoScuola]:
    """Each school's meals split by diet and "in bianco" (from the rows, no query)."""
    scuole: dict[str, dict[str, int]] = {}
    for r in righe:
        per_dieta = scuole.setdefault(r.scuola, {"": 0})
        per_dieta[r.dieta] = per_dieta.get(r.dieta, 0) + r.pasti
    return [
        RiepilogoScuola(scuola, sum(per_dieta.values()),
                        sorted(((d, n) for d, n in per_dieta.items() if n), key=lambda item: (item[0] != "", item[0])))
        for scuola, per_dieta in scuole.items()
    ]


def oggi() -> datetime.date:
    return timezone.localtime(timezone.now(), ROME).date()

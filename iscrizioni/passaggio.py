"""The September rollover of one comune: the next school year, its calendars, classes moved up.

Set-based SQL in one transaction per comune (interrupted, it leaves the old year intact); run twice,
the second run changes nothing. The class history keeps each pupil's class of the old year; balances
and the ledger are not touched; tariffs keep their validity dates.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection, transaction

from comuni.models import Comune
from consumatori.models import AnnoScolastico, Classe, Consumatore, Scuola
from consumatori.storico import storico_classi_sync
from mensa.models import Calendario, CalendarioScuola, IscrizioneMensa
from omnibus import stamps
from pagamenti.models import Servizio
from trasporto.models import Fermata, Iscrizione, Linea

from .models import FinestraIscrizione, ProseguimentoScuola
from .selectors import oggi

ULTIMO_ANNO = {"primaria": 5, "secondaria": 3}  # the infanzia goes by age: six in the calendar year


@dataclass
class RigaPassaggio:
    scuola: str
    classe: str
    destinazione: str
    alunni: int


@dataclass
class EsitoPassaggio:
    comune: str
    anno_da: str
    anno_a: str
    prova: bool
    righe: list[RigaPassaggio] = field(default_factory=list)
    classi_create: int = 0
    promossi: int = 0
    usciti: int = 0
    mensa_rinnovate: int = 0
    mensa_chiuse: int = 0
    trasporto_rinnovate: int = 0


def _t(model) -> str:
    return model._meta.db_table


def _run(sql: str, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = max(cursor.rowcount, 0)
    if "comune" in params:
        stamps.comune_changed(params["comune"])  # raw SQL: no model signal
    return written


def _denominazione(anno: int | None, sezione: str) -> str:
    return f"Sezione {sezione}" if anno is None else f"{anno}ª {sezione}"


def _anno_corrente(comune: Comune, giorno: datetime.date) -> AnnoScolastico | None:
    return AnnoScolastico.objects.filter(comune=comune, data_inizio__lte=giorno).order_by("-data_inizio").first()


def _anno_successivo(comune: Comune, vecchio: AnnoScolastico, crea: bool) -> tuple[AnnoScolastico, int]:
    """The next year (staff may have made it for the enrolment window), else the old one's dates
    moved on by whole weeks, so the first day stays the same weekday. Returns (year, day shift)."""
    start = vecchio.data_inizio.year + 1
    nome = f"{start}/{(start + 1) % 100:02d}"
    delta = datetime.timedelta(days=364)
    if (vecchio.data_inizio.replace(year=start) - (vecchio.data_inizio + delta)).days > 3:
        delta += datetime.timedelta(days=7)
    nuovo = AnnoScolastico.objects.filter(comune=comune, nome=nome).first()
    if nuovo is None:
        nuovo = AnnoScolastico(comune=comune, nome=nome, data_inizio=vecchio.data_inizio + delta,
                               data_fine=vecchio.data_fine + delta)
        if crea:
            nuovo.save()
    else:
        delta = nuovo.data_inizio - vecchio.data_inizio
    return nuovo, delta.days


# "Leaves the school": the last year of primaria/secondaria, or a child of the infanzia turning six.
LASCIA = """((s.tipo = 'primaria' AND k.anno >= 5) OR (s.tipo = 'secondaria' AND k.anno >= 3)
             OR (s.tipo = 'infanzia' AND c.data_nascita < %(nascita_limite)s))"""


def _prospetto(params: dict) -> list[RigaPassaggio]:
    """Class by class: where its pupils go (one grouped query)."""
    sql = f"""
        SELECT s.nome, k.anno, k.sezione, {LASCIA} AS lascia, t.nome, COUNT(*)
        FROM {_t(Consumatore)} c
        JOIN {_t(Classe)} k ON k.id = c.classe_id
        JOIN {_t(Scuola)} s ON s.id = k.scuola_id
        LEFT JOIN {_t(ProseguimentoScuola)} p ON p.scuola_id = k.scuola_id
        LEFT JOIN {_t(Scuola)} t ON t.id = p.scuola_successiva_id
        WHERE c.comune_id = %(comune)s AND k.anno_scolastico_id = %(vecchio)s
        GROUP BY s.nome, k.anno, k.sezione, lascia, t.nome
        ORDER BY s.nome, k.anno, k.sezione, lascia
    """  # noqa: S608
    righe = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for scuola, anno, sezione, lascia, successiva, n in cursor.fetchall():
            if not lascia:
                dest = _denominazione(None if anno is None else anno + 1, sezione)
            elif successiva:
                dest = f"{successiva}, {_denominazione(1, sezione)}"
            else:
                dest = "esce (ultimo anno)"
            righe.append(RigaPassaggio(scuola, _denominazione(anno, sezione), dest, n))
    return righe


def _classi_crea(params: dict) -> int:
    """Classes of the new year: each class moved up, the first years again, the first years of the
    schools the leavers go on to (same sections)."""
    k, s, p = _t(Classe), _t(Scuola), _t(ProseguimentoScuola)
    return _run(f"""
        INSERT INTO {k} (comune_id, scuola_id, anno_scolastico_id, anno, sezione)
        SELECT DISTINCT %(comune)s, x.scuola_id, %(nuovo)s, x.anno, x.sezione FROM (
            SELECT k.scuola_id, k.anno + 1 AS anno, k.sezione FROM {k} k JOIN {s} s ON s.id = k.scuola_id
            WHERE k.anno_scolastico_id = %(vecchio)s AND k.anno IS NOT NULL
              AND k.anno < CASE s.tipo WHEN 'primaria' THEN 5 WHEN 'secondaria' THEN 3 ELSE 99 END
            UNION SELECT k.scuola_id, k.anno, k.sezione FROM {k} k
            WHERE k.anno_scolastico_id = %(vecchio)s AND (k.anno IS NULL OR k.anno = 1)
            UNION SELECT p.scuola_successiva_id, 1, k.sezione FROM {k} k JOIN {p} p ON p.scuola_id = k.scuola_id
            JOIN {s} s ON s.id = k.scuola_id
            WHERE k.anno_scolastico_id = %(vecchio)s AND (k.anno IS NULL OR k.anno >= CASE s.tipo
                  WHEN 'primaria' THEN 5 WHEN 'secondaria' THEN 3 ELSE 0 END)
        ) x
        WHERE NOT EXISTS (SELECT 1 FROM {k} n WHERE n.anno_scolastico_id = %(nuovo)s AND n.scuola_id = x.scuola_id
                          AND n.sezione = x.sezione AND (n.anno = x.anno OR (n.anno IS NULL AND x.anno IS NULL)))
    """, params)  # noqa: S608


def _consumatori_promuovi(params: dict) -> tuple[int, int]:
    k, s, c, p = _t(Classe), _t(Scuola), _t(Consumatore), _t(ProseguimentoScuola)
    promossi = _run(f"""
        UPDATE {c} AS c SET classe_id = n.id
        FROM {k} k, {s} s, {k} n
        WHERE c.classe_id = k.id AND k.anno_scolastico_id = %(vecchio)s AND s.id = k.scuola_id
          AND c.comune_id = %(comune)s AND NOT {LASCIA}
          AND n.anno_scolastico_id = %(nuovo)s AND n.scuola_id = k.scuola_id AND n.sezione = k.sezione
          AND (n.anno = k.anno + 1 OR (n.anno IS NULL AND k.anno IS NULL))
    """, params)  # noqa: S608
    promossi += _run(f"""
        UPDATE {c} AS c SET classe_id = n.id
        FROM {k} k, {s} s, {p} p, {k} n
        WHERE c.classe_id = k.id AND k.anno_scolastico_id = %(vecchio)s AND s.id = k.scuola_id
          AND c.comune_id = %(comune)s AND {LASCIA}
          AND p.scuola_id = k.scuola_id AND n.anno_scolastico_id = %(nuovo)s
          AND n.scuola_id = p.scuola_successiva_id AND n.anno = 1 AND n.sezione = k.sezione
    """, params)  # noqa: S608
    usciti = _run(f"""
        UPDATE {c} SET classe_id = NULL
        WHERE comune_id = %(comune)s AND classe_id IN (SELECT id FROM {k} WHERE anno_scolastico_id = %(vecchio)s)
    """, params)  # noqa: S608
    return promossi, usciti


def _calendari_copia(vecchio: AnnoScolastico, nuovo: AnnoScolastico, delta: int) -> None:
    old_cal = Calendario.objects.filter(anno_scolastico=vecchio).first()
    if old_cal is None:
        return
    festa = None
    if old_cal.festa_patronale:
        for year in (nuovo.data_inizio.year, nuovo.data_fine.year):
            try:
                day = old_cal.festa_patronale.replace(year=year)
            except ValueError:
                continue
            if nuovo.data_inizio <= day <= nuovo.data_fine:
                festa = day
    new_cal, _created = Calendario.objects.get_or_create(
        comune_id=vecchio.comune_id, anno_scolastico=nuovo,
        defaults={"santo_patrono": old_cal.santo_patrono, "festa_patronale": festa})
    presenti = set(CalendarioScuola.objects.filter(calendario=new_cal).values_list("scuola_id", flat=True))
    shift = datetime.timedelta(days=delta)
    CalendarioScuola.objects.bulk_create([
        CalendarioScuola(comune_id=o.comune_id, calendario=new_cal, scuola_id=o.scuola_id,
                         data_inizio=o.data_inizio + shift, data_fine=o.data_fine + shift, lunedi=o.lunedi,
                         martedi=o.martedi, mercoledi=o.mercoledi, giovedi=o.giovedi, venerdi=o.venerdi,
                         sabato=o.sabato)
        for o in CalendarioScuola.objects.filter(calendario=old_cal).exclude(scuola_id__in=presenti)
    ])


def _iscrizioni_mensa(params: dict, rinnovo: bool | None) -> tuple[int, int]:
    m, c = _t(IscrizioneMensa), _t(Consumatore)
    rinnovate = chiuse = 0
    # Who left the schools (or everybody, when the window asks for a new application): closed at year end.
    in_corso = "data_inizio <= %(fine_vecchio)s AND (data_fine IS NULL OR data_fine > %(fine_vecchio)s)"
    # Who left the schools, and everybody when the window asks for a new application: closed at year end.
    if rinnovo is False:
        chi = ""
    else:
        chi = f" AND consumatore_id IN (SELECT id FROM {c} WHERE comune_id = %(comune)s AND classe_id IS NULL)"  # noqa: S608
    sql = f"UPDATE {m} SET data_fine = %(fine_vecchio)s WHERE comune_id = %(comune)s AND {in_corso}{chi}"  # noqa: S608
    chiuse = _run(sql, params)
    if rinnovo:
        rinnovate = _run(f"""
            INSERT INTO {m} (comune_id, consumatore_id, tariffa_id, data_inizio, data_fine, creata_il)
            SELECT o.comune_id, o.consumatore_id, o.tariffa_id, %(inizio_nuovo)s, %(fine_nuovo)s, %(now)s
            FROM {m} o JOIN {c} c ON c.id = o.consumatore_id
            WHERE o.comune_id = %(comune)s AND c.comune_id = %(comune)s AND o.data_fine = %(fine_vecchio)s
              AND c.classe_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM {m} n WHERE n.comune_id = %(comune)s
                              AND n.consumatore_id = o.consumatore_id
                              AND (n.data_fine IS NULL OR n.data_fine >= %(inizio_nuovo)s))
        """, params)  # noqa: S608
    return rinnovate, chiuse


def _iscrizioni_trasporto(params: dict) -> int:
    """Renew the bus: the routes and stops of the old year copied to the new one, then the enrolments."""
    li, fe, isc, c = _t(Linea), _t(Fermata), _t(Iscrizione), _t(Consumatore)
    ls = Linea.scuole.through._meta.db_table
    _run(f"""
        INSERT INTO {li} (comune_id, anno_scolastico_id, nome, mezzo, autista, telefono_autista)
        SELECT comune_id, %(nuovo)s, nome, mezzo, autista, telefono_autista FROM {li} o
        WHERE o.anno_scolastico_id = %(vecchio)s
          AND NOT EXISTS (SELECT 1 FROM {li} n WHERE n.anno_scolastico_id = %(nuovo)s AND n.nome = o.nome)
    """, params)  # noqa: S608
    _run(f"""
        INSERT INTO {fe} (comune_id, linea_id, ordine, nome, indirizzo, ora_andata, ora_ritorno)
        SELECT f.comune_id, n.id, f.ordine, f.nome, f.indirizzo, f.ora_andata, f.ora_ritorno
        FROM {fe} f JOIN {li} o ON o.id = f.linea_id JOIN {li} n ON n.nome = o.nome AND n.anno_scolastico_id = %(nuovo)s
        WHERE o.anno_scolastico_id = %(vecchio)s
          AND NOT EXISTS (SELECT 1 FROM {fe} x WHERE x.linea_id = n.id AND x.ordine = f.ordine)
    """, params)  # noqa: S608
    _run(f"""
        INSERT INTO {ls} (linea_id, scuola_id)
        SELECT n.id, s.scuola_id FROM {ls} s JOIN {li} o ON o.id = s.linea_id
        JOIN {li} n ON n.nome = o.nome AND n.anno_scolastico_id = %(nuovo)s
        WHERE o.anno_scolastico_id = %(vecchio)s
          AND NOT EXISTS (SELECT 1 FROM {ls} x WHERE x.linea_id = n.id AND x.scuola_id = s.scuola_id)
    """, params)  # noqa: S608
    # Old stop -> new route and stop, worked out first over the comune's few routes: joined on the
    # enrolments, a stop's order alone would otherwise match the stops of every comune.
    return _run(f"""
        WITH mappa AS MATERIALIZED (
            SELECT ol.id AS vecchia_linea, ofe.id AS vecchia_fermata, nl.id AS linea, nf.id AS fermata
            FROM {li} ol JOIN {fe} ofe ON ofe.linea_id = ol.id AND ofe.comune_id = %(comune)s
            JOIN {li} nl ON nl.nome = ol.nome AND nl.anno_scolastico_id = %(nuovo)s AND nl.comune_id = %(comune)s
            JOIN {fe} nf ON nf.linea_id = nl.id AND nf.ordine = ofe.ordine AND nf.comune_id = %(comune)s
            WHERE ol.anno_scolastico_id = %(vecchio)s AND ol.comune_id = %(comune)s
        )
        INSERT INTO {isc} (comune_id, consumatore_id, linea_id, fermata_id, percorso, data_inizio, data_fine, fascia_id,
                           esente, riduzione_fratelli, riduzione_percentuale, note, creato_il)
        SELECT i.comune_id, i.consumatore_id, m.linea, m.fermata, i.percorso, %(inizio_nuovo)s, %(fine_nuovo)s,
               i.fascia_id, i.esente, i.riduzione_fratelli, i.riduzione_percentuale, i.note, %(now)s
        FROM {isc} i JOIN mappa m ON m.vecchia_linea = i.linea_id AND m.vecchia_fermata = i.fermata_id
        JOIN {c} c ON c.id = i.consumatore_id
        WHERE i.comune_id = %(comune)s AND c.comune_id = %(comune)s
          AND i.data_fine >= %(fine_vecchio)s AND c.classe_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM {isc} x WHERE x.comune_id = %(comune)s AND x.consumatore_id = i.consumatore_id
                          AND x.data_fine >= %(inizio_nuovo)s)
    """, params)  # noqa: S608


def anno_scolastico_nuovo(*, comune: Comune, prova: bool = False, giorno: datetime.date | None = None,
                          now: datetime.datetime | None = None) -> EsitoPassaggio:
    """Roll the comune over to the next school year (prova: only report what would change)."""
    from django.utils import timezone

    giorno = giorno or oggi()
    vecchio = _anno_corrente(comune, giorno)
    if vecchio is None:
        return EsitoPassaggio(comune.slug, "", "", prova)
    with transaction.atomic():
        nuovo, delta = _anno_successivo(comune, vecchio, crea=not prova)
        limite = datetime.date(nuovo.data_inizio.year - 5, 1, 1)
        params = {"comune": comune.pk, "vecchio": vecchio.pk, "nuovo": nuovo.pk, "nascita_limite": limite,
                  "fine_vecchio": vecchio.data_fine, "inizio_nuovo": nuovo.data_inizio, "fine_nuovo": nuovo.data_fine,
                  "now": now or timezone.now()}
        esito = EsitoPassaggio(comune.slug, vecchio.nome, nuovo.nome, prova, righe=_prospetto(params))
        if prova:
            return esito
        storico_classi_sync(comune=comune)  # the old year's classes, kept
        esito.classi_create = _classi_crea(params)
        esito.promossi, esito.usciti = _consumatori_promuovi(params)
        storico_classi_sync(comune=comune)  # and the new year's
        _calendari_copia(vecchio, nuovo, delta)
        rinnovi = dict(FinestraIscrizione.objects.filter(anno_scolastico=nuovo).values_list(
            "servizio", "rinnovo_automatico"))
        esito.mensa_rinnovate, esito.mensa_chiuse = _iscrizioni_mensa(params, rinnovi.get(Servizio.MENSA))
        if rinnovi.get(Servizio.TRASPORTO):
            esito.trasporto_rinnovate = _iscrizioni_trasporto(params)
    return esito

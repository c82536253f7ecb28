"""Reads of the school office: the debtors (morosi) of both services, in a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from django.db import connections, router
from django.db.models import Q
from django.utils import timezone

from comuni.models import Comune
from consumatori.models import Consumatore, Tutore
from mensa.models import Sospensione
from pagamenti.consolidamento import conti_cte, conti_leggi, conti_params
from pagamenti.models import Movimento, Servizio, TipoMovimento

from .models import Sollecito

ZERO = Decimal("0.00")
PAGE_SIZE = 50


def episodio_of(consumatore_id: int, ultimo_credito: int | None) -> str:
    """The debt episode, as mensa.debiti._episodio names it: a new credit opens a new episode."""
    from mensa.debiti import _episodio

    return _episodio(consumatore_id, ultimo_credito)


@dataclass(frozen=True)
class FiltriMorosi:
    servizio: str = ""
    scuola_id: int | None = None
    classe_id: int | None = None
    importo_minimo: Decimal = ZERO
    giorni_minimi: int = 0
    sospesi: bool | None = None
    sollecitati: bool | None = None


@dataclass
class Moroso:
    consumatore_id: int
    servizio: str
    saldo: Decimal
    ultimo_credito: int | None
    ultimo_pagamento: datetime.date | None
    debito_dal: datetime.date | None
    prezzo_pasto: Decimal | None
    avviso_trasporto: datetime.datetime | None = None
    consumatore: Consumatore | None = None
    tutori: list[Tutore] = field(default_factory=list)
    ultimo_sollecito: Sollecito | None = None
    sospeso: bool = False

    @property
    def debito(self) -> Decimal:
        return -self.saldo

    @property
    def episodio(self) -> str:
        return episodio_of(self.consumatore_id, self.ultimo_credito)

    @property
    def pasti_a_debito(self) -> int | None:
        if self.servizio != Servizio.MENSA or not self.prezzo_pasto:
            return None
        return int((self.debito / self.prezzo_pasto).to_integral_value(rounding=ROUND_CEILING))

    def giorni_a_debito(self, oggi: datetime.date) -> int | None:
        return (oggi - self.debito_dal).days if self.debito_dal else None

    @property
    def servizio_label(self) -> str:
        return Servizio(self.servizio).label


@dataclass
class PaginaMorosi:
    righe: list[Moroso]
    totale: int
    totale_debito: Decimal
    pagina: int
    pagine: int


# The age of the debt, oldest unpaid charge first-in first-out: walking the charges from the newest back,
# the one where they add up to the debt. A correlated scalar subquery (not LATERAL): the same SQL runs on
# PostgreSQL and on the SQLite of `make run`.
_ETA = """(
    SELECT d.data_valuta FROM (
        SELECT x.data_valuta, SUM(-x.importo) OVER (ORDER BY x.data_valuta DESC, x.id DESC) AS cumulato
        FROM pagamenti_movimento x
        WHERE x.consumatore_id = c.consumatore_id AND x.servizio = c.servizio AND x.importo < 0
    ) d WHERE d.cumulato >= -c.saldo ORDER BY d.cumulato LIMIT 1
)"""

# Two stages: filter, count and cut the page first (the accounts from the consolidated sums plus the movements
# after them, pagamenti.consolidamento); the per-account details (debt age, meal price)
# only for the rows of the page, unless the days-in-debit filter needs the age of every account.
_SQL = """
WITH {conti}, pagina AS (
    SELECT c.consumatore_id, c.servizio, c.saldo, c.ultimo_credito, c.ultimo_pagamento, k.cognome, k.nome,
           {eta_colonna} AS debito_dal, COUNT(*) OVER () AS totale, SUM(c.saldo) OVER () AS totale_saldo
    FROM conti c
    JOIN consumatori_consumatore k ON k.id = c.consumatore_id
    LEFT JOIN consumatori_classe cl ON cl.id = k.classe_id
    WHERE k.comune_id = %(comune)s {where}
    ORDER BY c.saldo, k.cognome, k.nome, c.consumatore_id, c.servizio
    {limit}
)
SELECT c.consumatore_id, c.servizio, c.saldo, c.ultimo_credito, c.ultimo_pagamento,
       {eta_finale},
       CASE WHEN c.servizio = %(mensa)s THEN (
           SELECT -p.importo FROM pagamenti_movimento p
           WHERE p.consumatore_id = c.consumatore_id AND p.servizio = c.servizio AND p.tipo = %(pasto)s
           ORDER BY p.data_valuta DESC, p.id DESC LIMIT 1
       ) END AS prezzo,
       c.totale, c.totale_saldo,
       -- The bus reminders trasporto.solleciti sends by itself at each debt threshold, still open.
       (SELECT MAX(st.inviato_il) FROM trasporto_sollecitotrasporto st WHERE st.consumatore_id = c.consumatore_id
        AND c.servizio = %(trasporto)s AND st.chiuso_il IS NULL) AS avviso_trasporto
FROM pagina c
ORDER BY c.saldo, c.cognome, c.nome, c.consumatore_id, c.servizio
"""

_SOSPESO = """EXISTS (SELECT 1 FROM mensa_sospensione s WHERE s.consumatore_id = c.consumatore_id
    AND c.servizio = %(mensa)s AND s.dal <= %(oggi)s AND (s.al IS NULL OR s.al >= %(oggi)s))"""
_SOLLECITATO = """EXISTS (SELECT 1 FROM ufficio_sollecito s WHERE s.consumatore_id = c.consumatore_id
    AND s.servizio = c.servizio
    AND s.episodio = CAST(c.consumatore_id AS TEXT) || ':' || CAST(COALESCE(c.ultimo_credito, 0) AS TEXT))
    OR EXISTS (SELECT 1 FROM trasporto_sollecitotrasporto st WHERE st.consumatore_id = c.consumatore_id
    AND c.servizio = %(trasporto)s AND st.chiuso_il IS NULL)"""


def _query(*, comune: Comune, filtri: FiltriMorosi, oggi: datetime.date, limit: int | None, offset: int):
    params: dict = {
        **conti_params(comune_id=comune.pk, servizio=filtri.servizio, minimo=filtri.importo_minimo),
        "oggi": oggi, "mensa": Servizio.MENSA, "trasporto": Servizio.TRASPORTO,
        "pasto": TipoMovimento.PASTO,
    }
    where = []
    if filtri.scuola_id:
        where.append("cl.scuola_id = %(scuola)s")
        params["scuola"] = filtri.scuola_id
    if filtri.classe_id:
        where.append("k.classe_id = %(classe)s")
        params["classe"] = filtri.classe_id
    if filtri.giorni_minimi:
        where.append(f"{_ETA} <= %(debito_entro)s")
        params["debito_entro"] = oggi - datetime.timedelta(days=filtri.giorni_minimi)
    if filtri.sospesi is not None:
        where.append(_SOSPESO if filtri.sospesi else f"NOT {_SOSPESO}")
    if filtri.sollecitati is not None:
        where.append(f"({_SOLLECITATO})" if filtri.sollecitati else f"NOT ({_SOLLECITATO})")
    eta_prima = bool(filtri.giorni_minimi)
    sql = _SQL.format(
        conti=conti_cte(servizio=bool(filtri.servizio), in_debito=True), where="".join(f" AND {w}" for w in where),
        limit="LIMIT %(limit)s OFFSET %(offset)s" if limit is not None else "",
        eta_colonna=_ETA if eta_prima else "CAST(NULL AS DATE)",
        eta_finale="c.debito_dal" if eta_prima else _ETA,
    )
    params.update(limit=limit, offset=offset)
    # The ledger's reader: the read replica inside the office's lists (omnibus.db_router), else the primary.
    with connections[router.db_for_read(Movimento)].cursor() as cursor:
        return conti_leggi(cursor, sql, params)


def _complete(righe: list[Moroso], *, oggi: datetime.date) -> None:
    """Consumers with class and school, guardians, last reminder of the episode, suspension: 4 queries."""
    ids = {r.consumatore_id for r in righe}
    if not ids:
        return
    consumatori = Consumatore.objects.select_related("classe__scuola").in_bulk(list(ids))
    tutori: dict[int, list[Tutore]] = {}
    for tutore in Tutore.objects.filter(consumatore_id__in=ids).select_related("utente").order_by("cognome", "pk"):
        tutori.setdefault(tutore.consumatore_id, []).append(tutore)
    solleciti: dict[tuple[int, str, str], Sollecito] = {}
    episodi = {r.episodio for r in righe}
    registro = Sollecito.objects.filter(consumatore_id__in=ids, episodio__in=episodi).order_by("inviato_il", "id")
    for sollecito in registro:
        solleciti[(sollecito.consumatore_id, sollecito.servizio, sollecito.episodio)] = sollecito
    sospesi = set(
        Sospensione.objects.filter(consumatore_id__in=ids, dal__lte=oggi)
        .filter(Q(al__isnull=True) | Q(al__gte=oggi))
        .values_list("consumatore_id", flat=True)
    )
    for r in righe:
        r.consumatore = consumatori.get(r.consumatore_id)
        r.tutori = tutori.get(r.consumatore_id, [])
        r.ultimo_sollecito = solleciti.get((r.consumatore_id, r.servizio, r.episodio))
        r.sospeso = r.servizio == Servizio.MENSA and r.consumatore_id in sospesi


def _decimal(value) -> Decimal | None:
    """A raw amount as Decimal: SQLite (make run) answers sums as float, PostgreSQL as Decimal."""
    return None if value is None else Decimal(str(value)).quantize(ZERO)


def _date(value) -> datetime.date | None:
    return datetime.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _datetime(value) -> datetime.datetime | None:
    if isinstance(value, str):  # SQLite: ISO text in UTC
        parsed = datetime.datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)
    return value


def _rows_to_morosi(rows) -> list[Moroso]:
    return [
        Moroso(consumatore_id=row[0], servizio=row[1], saldo=_decimal(row[2]), ultimo_credito=row[3],
               ultimo_pagamento=_date(row[4]), debito_dal=_date(row[5]), prezzo_pasto=_decimal(row[6]),
               avviso_trasporto=_datetime(row[9]))
        for row in rows
    ]


def morosi_page(*, comune: Comune, filtri: FiltriMorosi, pagina: int = 1, per_pagina: int = PAGE_SIZE,
                oggi: datetime.date | None = None) -> PaginaMorosi:
    """One page of debtor accounts (largest debt first) with everything the office needs. 5 queries."""
    oggi = oggi or timezone.localdate()
    pagina = max(1, pagina)
    rows = _query(comune=comune, filtri=filtri, oggi=oggi, limit=per_pagina, offset=(pagina - 1) * per_pagina)
    if not rows and pagina > 1:
        # Past the last page (filters changed): show the first one.
        return morosi_page(comune=comune, filtri=filtri, pagina=1, per_pagina=per_pagina, oggi=oggi)
    righe = _rows_to_morosi(rows)
    _complete(righe, oggi=oggi)
    totale = rows[0][7] if rows else 0
    return PaginaMorosi(
        righe=righe, totale=totale, totale_debito=-_decimal(rows[0][8]) if rows else ZERO,
        pagina=pagina, pagine=max(1, -(-totale // per_pagina)),
    )


def morosi_all(*, comune: Comune, filtri: FiltriMorosi, oggi: datetime.date | None = None,
               completi: bool = True) -> list[Moroso]:
    """Every debtor account matching the filters (exports, reminders to all over a threshold)."""
    oggi = oggi or timezone.localdate()
    righe = _rows_to_morosi(_query(comune=comune, filtri=filtri, oggi=oggi, limit=None, offset=0))
    if completi:
        _complete(righe, oggi=oggi)
    return righe

"""The ledger's sums per account, consolidated every night, and the SQL that reads every account of a comune.

The reads over all accounts of a comune (the office's debtors, the cruscotto's open debts) used to add up
every movement of the comune: two million rows for 100,000 children by spring. They read SaldoConsolidato
instead (one row per account: the sums of its movements up to the id `fino_a`) plus the movements after
`fino_a`. That is exact at any moment: the ledger is append-only, so a movement with id <= fino_a is in the
sums exactly once and the others are added by the read; the nightly job only keeps the second part short.

Why the horizon is safe: a movement's id comes from a sequence inside its INSERT, after the INSERT took its
lock on the table. Taking the table in SHARE MODE waits for every transaction still inserting, so once it is
held every id up to MAX(id) is committed or rolled back, and no row can appear below it later. SQLite (`make
run`) has one writer at a time, whose new ids are all above what is committed.

The job is the one task that reads the ledger of every comune in a statement, as a database maintenance job
would: it writes sums under each account's own comune and shows nothing to anybody.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from .models import ConsolidamentoSaldi, TipoMovimento

# Movements folded per transaction: the first run on a large ledger proceeds in steps it can resume.
CHUNK = 500_000

_UPSERT = """
INSERT INTO pagamenti_saldoconsolidato (comune_id, consumatore_id, servizio, saldo, ultimo_credito,
    ultimo_pagamento)
SELECT m.comune_id, m.consumatore_id, m.servizio, SUM(m.importo), MAX(CASE WHEN m.importo > 0 THEN m.id END),
       MAX(CASE WHEN m.tipo IN (%(pagopa)s, %(lis)s) THEN m.data_valuta END)
FROM pagamenti_movimento m
WHERE m.id > %(da)s AND m.id <= %(a)s
GROUP BY m.comune_id, m.consumatore_id, m.servizio
ON CONFLICT (consumatore_id, servizio) DO UPDATE SET
    saldo = pagamenti_saldoconsolidato.saldo + excluded.saldo,
    ultimo_credito = CASE WHEN excluded.ultimo_credito IS NULL THEN pagamenti_saldoconsolidato.ultimo_credito
                          ELSE excluded.ultimo_credito END,
    ultimo_pagamento = CASE WHEN pagamenti_saldoconsolidato.ultimo_pagamento IS NULL
                              OR excluded.ultimo_pagamento > pagamenti_saldoconsolidato.ultimo_pagamento
                            THEN excluded.ultimo_pagamento ELSE pagamenti_saldoconsolidato.ultimo_pagamento END
"""


def _pagamenti() -> dict:
    return {"pagopa": TipoMovimento.RICARICA_PAGOPA, "lis": TipoMovimento.RICARICA_PUNTOLIS}


def _orizzonte() -> int:
    """The highest movement id below which no transaction can still add a row."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL lock_timeout = '60s'")
            cursor.execute("LOCK TABLE pagamenti_movimento IN SHARE MODE")
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM pagamenti_movimento")
        return int(cursor.fetchone()[0])


def orizzonte_fermo() -> int:
    """The sums' horizon `fino_a`, held where it is until the caller's transaction ends, for statements that
    name it as a value: the consolidation waits meanwhile (it locks the same row FOR UPDATE), so the sums
    the following statements read still stop at it. As a value the planner can estimate "id > fino_a" (the
    last hour's rows, by each partition's primary key); as a subquery of the statement, the partitioned
    ledger was read by sequential scans of every school year. Needs a transaction (PostgreSQL: FOR SHARE;
    SQLite, `make run`, has one writer at a time)."""
    if not connection.in_atomic_block:
        raise RuntimeError("orizzonte_fermo() holds the horizon until the transaction ends: call it inside one")
    with connection.cursor() as cursor:
        # The row exists once any consolidation ran; made here otherwise (always the same two statements).
        cursor.execute("INSERT INTO pagamenti_consolidamentosaldi (id, fino_a) VALUES (1, 0) ON CONFLICT DO NOTHING")
        share = " FOR SHARE" if connection.vendor == "postgresql" else ""
        cursor.execute(f"SELECT fino_a FROM pagamenti_consolidamentosaldi WHERE id = 1{share}")  # noqa: S608
        return int(cursor.fetchone()[0])


def saldi_consolida(*, chunk: int = CHUNK) -> int:
    """Fold every movement up to the horizon into the sums; returns how many account rows were written.
    Two runs at once are harmless: each step locks the one ConsolidamentoSaldi row and re-reads it."""
    orizzonte = _orizzonte()
    ConsolidamentoSaldi.objects.get_or_create(pk=1)
    scritti = 0
    while True:
        with transaction.atomic():
            stato = ConsolidamentoSaldi.objects.select_for_update().get(pk=1)
            if stato.fino_a >= orizzonte:
                return scritti
            fino_a = min(stato.fino_a + chunk, orizzonte)
            with connection.cursor() as cursor:
                cursor.execute(_UPSERT, {"da": stato.fino_a, "a": fino_a, **_pagamenti()})
                scritti += max(cursor.rowcount, 0)
            stato.fino_a, stato.eseguito_il = fino_a, timezone.now()
            stato.save(update_fields=["fino_a", "eseguito_il"])


def conti_cte(*, servizio: bool = False, in_debito: bool = False) -> str:
    """Common table expressions naming `conti`: the accounts of comune %(comune)s (of service %(servizio)s
    only, if asked; only those in debit by at least %(minimo)s, if asked), one row each with consumatore_id,
    servizio, saldo, ultimo_credito (id of the last credit) and ultimo_pagamento (day of the last pagoPA or
    PuntoLIS payment). Use as `WITH {conti_cte()} SELECT … FROM conti`, with the params of conti_params(),
    run by `conti_leggi` (which names the horizon %(fino_a)s).

    Accounts without movements after `fino_a` are read as they are (filtered on their stored balance, never
    aggregated); the few with newer movements add them. The same SQL runs on PostgreSQL and on SQLite."""
    solo_s = " AND s.servizio = %(servizio)s" if servizio else ""
    solo_m = " AND m.servizio = %(servizio)s" if servizio else ""
    debito_s = " AND s.saldo < 0 AND s.saldo <= -%(minimo)s" if in_debito else ""
    totale = "d.saldo + COALESCE(s.saldo, 0)"
    debito_d = f" AND {totale} < 0 AND {totale} <= -%(minimo)s" if in_debito else ""
    return f"""conti_recenti AS (
        SELECT m.consumatore_id, m.servizio, SUM(m.importo) AS saldo,
            MAX(CASE WHEN m.importo > 0 THEN m.id END) AS ultimo_credito,
            MAX(CASE WHEN m.tipo IN (%(pagopa)s, %(lis)s) THEN m.data_valuta END) AS ultimo_pagamento
        FROM pagamenti_movimento m
        WHERE m.comune_id = %(comune)s{solo_m}
            AND m.id > %(fino_a)s
        GROUP BY m.consumatore_id, m.servizio
    ), conti AS (
        SELECT s.consumatore_id, s.servizio, s.saldo, s.ultimo_credito, s.ultimo_pagamento
        FROM pagamenti_saldoconsolidato s
        WHERE s.comune_id = %(comune)s{solo_s}{debito_s} AND NOT EXISTS (
            SELECT 1 FROM conti_recenti d WHERE d.consumatore_id = s.consumatore_id AND d.servizio = s.servizio)
        UNION ALL
        SELECT d.consumatore_id, d.servizio, {totale}, COALESCE(d.ultimo_credito, s.ultimo_credito),
            CASE WHEN s.ultimo_pagamento IS NULL OR d.ultimo_pagamento > s.ultimo_pagamento
                THEN d.ultimo_pagamento ELSE s.ultimo_pagamento END
        FROM conti_recenti d
        LEFT JOIN pagamenti_saldoconsolidato s ON s.consumatore_id = d.consumatore_id AND s.servizio = d.servizio
        WHERE d.consumatore_id IS NOT NULL{debito_d}
    )"""  # noqa: S608 - fixed fragments only, values are parameters


def _fino_a(cursor) -> int:
    cursor.execute("SELECT COALESCE(MAX(fino_a), 0) FROM pagamenti_consolidamentosaldi")
    return int(cursor.fetchone()[0])


def conti_leggi(cursor, sql: str, params: dict) -> list[tuple]:
    """Run a statement over `conti_cte` with the sums' horizon as a value, and its rows.

    As a value the planner sees that "id > fino_a" is the last hour's rows and reads them by each school
    year's primary key (as a subquery it read every year of the partitioned ledger in full). The horizon is
    read before and after the statement; it only ever grows, so the same value twice means the statement's
    snapshot had it too, and the sums it read stop exactly there. Otherwise (a consolidation committed in
    between, once an hour) the statement runs again. Works on the read replica too: no lock, no write."""
    for _ in range(5):
        fino_a = _fino_a(cursor)
        cursor.execute(sql, {**params, "fino_a": fino_a})
        rows = cursor.fetchall()
        if _fino_a(cursor) == fino_a:
            return rows
    raise RuntimeError("the consolidated sums moved during five reads in a row")


def conti_params(*, comune_id: int, servizio: str = "", minimo: Decimal = Decimal("0")) -> dict:
    return {"comune": comune_id, "minimo": minimo, **_pagamenti(), **({"servizio": servizio} if servizio else {})}

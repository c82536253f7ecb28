"""EXPLAIN every query that reads the ledger (pagamenti.Movimento), on a benchmark database.

Usage: python -m bench.run --quick --only mensa --keep   (leaves <db>_bench with 10,000 consumers)
       DATABASE_URL=postgres://…/<db>_bench python scripts/explain_movimento.py

Prints, per query, the plan nodes that touch pagamenti_movimento and the index they use: the list
that decided which indexes Movimento keeps (README, "The ledger's indexes").
"""

from __future__ import annotations

import datetime
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnibus.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Max, Q, Sum  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

from comuni.models import Comune  # noqa: E402
from consumatori.models import Consumatore  # noqa: E402
from pagamenti.models import Movimento, Servizio, TipoMovimento  # noqa: E402
from pagamenti.selectors import movimenti_of_consumatori  # noqa: E402

DAY = datetime.date(2026, 11, 23)


def explain(label: str, sql: str, params) -> None:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    touching = [line.strip() for line in plan if "movimento" in line or "Bitmap Index Scan" in line]
    print(f"- {label}:")
    for line in touching:
        print(f"    {re.sub(r'  +', ' ', line)[:150]}")


def qs(label: str, queryset) -> None:
    sql, params = queryset.query.sql_with_params()
    explain(label, sql, params)


def main() -> None:
    with scopes_disabled():
        comune = Comune.objects.order_by("pk").first()
        consumatore = Consumatore.objects.filter(comune=comune).order_by("pk")[10]
    ids = [consumatore.pk, consumatore.pk + 1, consumatore.pk + 2]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pagamenti_movimento")
        cursor.execute("SELECT count(*) FROM pagamenti_movimento")
        print(f"pagamenti_movimento: {cursor.fetchone()[0]} rows")
    with scope(comune=comune):
        base = Movimento.objects
        qs("saldo (RICARICA, suspension lift)", base.filter(consumatore=consumatore, servizio=Servizio.MENSA)
           .values("consumatore_id").annotate(t=Sum("importo")))
        qs("saldi (home, Dettaglio, Pagamenti, RICARICA)", base.filter(consumatore_id__in=ids)
           .values("consumatore_id", "servizio").annotate(t=Sum("importo")).order_by())
        qs("movimenti_of_consumatori (Pagamenti)", movimenti_of_consumatori(consumatori=[consumatore]))
        qs("mese_consumatore meals of the year (Dettaglio)", base.filter(
            consumatore=consumatore, servizio=Servizio.MENSA, tipo=TipoMovimento.PASTO,
            data_valuta__range=(datetime.date(2026, 9, 14), datetime.date(2027, 6, 9))).values_list("data_valuta"))
        qs("estratto_pdf (yearly statement)", base.filter(
            consumatore=consumatore, tipo__in=["ricarica_pagopa", "ricarica_puntolis"], data_valuta__year=2026))
        qs("movimento_register / ON CONFLICT key", base.filter(
            consumatore=consumatore, servizio=Servizio.MENSA, chiave=f"pasto:{DAY}"))
        debitati = base.filter(comune=comune, servizio=Servizio.MENSA, tipo=TipoMovimento.PASTO,
                               data_valuta=DAY).values("consumatore_id")
        qs("debt_rules_apply: consumers debited on the day (nightly)", debitati)
        qs("debt_rules_apply: their balances (nightly)", base.filter(comune=comune, servizio=Servizio.MENSA)
           .filter(Q(consumatore_id__in=debitati) | Q(consumatore_id__in=[consumatore.pk]))
           .values("consumatore_id").annotate(saldo=Sum("importo"), ultimo=Max("id", filter=Q(importo__gt=0)))
           .filter(saldo__lt=5).order_by())
        qs("debitori_trasporto (office)", base.filter(servizio=Servizio.TRASPORTO).values("consumatore_id")
           .annotate(saldo=Sum("importo")).filter(saldo__lt=0).order_by("saldo"))
        qs("saldi_iniziali: keys already there (import)", base.filter(comune=comune, chiave="saldo_iniziale")
           .values_list("consumatore_id", "servizio"))
        qs("dati_personali (I miei dati)", base.filter(consumatore__in=ids))
        qs("admin changelist (first page)", base.all().order_by("-data_valuta", "-id")[:100])
        qs("admin changelist, date_hierarchy day", base.filter(data_valuta=DAY).order_by("-data_valuta", "-id")[:100])
    explain("PROTECT check when deleting a consumer", "SELECT 1 FROM pagamenti_movimento WHERE consumatore_id = %s",
            [consumatore.pk])
    explain("PROTECT check when deleting an account", "SELECT 1 FROM pagamenti_movimento WHERE creato_da_id = %s",
            [1])
    explain("PROTECT check when deleting a comune", "SELECT 1 FROM pagamenti_movimento WHERE comune_id = %s",
            [comune.pk])


if __name__ == "__main__":
    main()

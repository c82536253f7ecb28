"""The accounts' consolidated sums: reads over every account of a comune stay exact before, during and after
the nightly consolidation, whatever is written meanwhile."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.db.models import Max, Q, Sum
from django_scopes import scope, scopes_disabled

from pagamenti.consolidamento import conti_cte, conti_leggi, conti_params, saldi_consolida
from pagamenti.models import ConsolidamentoSaldi, Movimento, SaldoConsolidato, Servizio, TipoMovimento
from pagamenti.services import movimento_register
from tests.concurrency import run_at_once

DAY = datetime.date(2026, 11, 23)
PAGAMENTI = (TipoMovimento.RICARICA_PAGOPA, TipoMovimento.RICARICA_PUNTOLIS)


def register(child, importo, chiave, tipo=TipoMovimento.PASTO, servizio=Servizio.MENSA, giorno=DAY, **extra):
    with scope(comune=child.comune):
        return movimento_register(consumatore=child, servizio=servizio, tipo=tipo, importo=Decimal(importo),
                                  data_valuta=giorno, chiave=chiave, **extra)[0]


def conti(comune, servizio: str = "", in_debito: bool = False) -> dict:
    with connection.cursor() as cursor:
        sql = f"WITH {conti_cte(servizio=bool(servizio), in_debito=in_debito)} SELECT * FROM conti"
        rows = conti_leggi(cursor, sql, conti_params(comune_id=comune.pk, servizio=servizio, minimo=Decimal("1")))
        return {(r[0], r[1]): _norm(r[2], r[3], r[4]) for r in rows}


def _norm(saldo, credito, pagamento) -> tuple:
    """SQLite (make run) answers sums as float and dates as text: compare amounts to the cent, dates as dates."""
    if isinstance(pagamento, str):
        pagamento = datetime.date.fromisoformat(pagamento)
    return Decimal(str(saldo)).quantize(Decimal("0.01")), credito, pagamento


def truth(comune, servizio: str = "") -> dict:
    """The same accounts added up from every movement, as the ledger defines them."""
    with scope(comune=comune):
        rows = Movimento.objects.filter(**({"servizio": servizio} if servizio else {})).values(
            "consumatore_id", "servizio").annotate(
            saldo=Sum("importo"), credito=Max("id", filter=Q(importo__gt=0)),
            pagamento=Max("data_valuta", filter=Q(tipo__in=PAGAMENTI))).order_by()
        return {(r["consumatore_id"], r["servizio"]): _norm(r["saldo"], r["credito"], r["pagamento"]) for r in rows}


def ledger(children, start: int) -> None:
    """A month of canteen and bus life: meals, fees, payments by both channels, a back-dated correction."""
    for child in children:
        for n in range(start, start + 5):
            register(child, "-4.10", f"pasto:{n}", giorno=DAY + datetime.timedelta(days=n))
        register(child, "-30.00", f"mese:{start}", tipo=TipoMovimento.MENSILITA, servizio=Servizio.TRASPORTO)
    register(children[0], "15.00", f"avviso:{start}", tipo=TipoMovimento.RICARICA_PAGOPA,
             giorno=DAY + datetime.timedelta(days=start))
    # Paid at a PuntoLIS earlier than the pagoPA payment above, recorded after it.
    register(children[0], "5.00", f"lis:{start}", tipo=TipoMovimento.RICARICA_PUNTOLIS,
             giorno=DAY - datetime.timedelta(days=30 - start))
    register(children[-1], "-0.40", f"rettifica:{start}", tipo=TipoMovimento.RETTIFICA, motivo="Pasto in bianco",
             giorno=DAY - datetime.timedelta(days=60))


def test_the_accounts_read_the_same_before_during_and_after_the_consolidation(leporano, pulsano, alice_children,
                                                                              charlie_child):
    ledger(alice_children, 0)
    ledger([charlie_child], 0)
    before = truth(leporano)
    assert conti(leporano) == before and len(before) == 4

    # Step by step (three movements per transaction), as a first run on a large ledger goes.
    assert saldi_consolida(chunk=3) > 0
    with scopes_disabled():
        assert ConsolidamentoSaldi.objects.get().fino_a == Movimento.objects.aggregate(m=Max("id"))["m"]
    assert conti(leporano) == before
    assert conti(pulsano) == truth(pulsano)
    with scope(comune=leporano):
        assert SaldoConsolidato.objects.count() == 4  # one row per account, the comune's own only

    # The day after: new meals, a new payment with an older value date; read before the next night's run.
    ledger(alice_children, 10)
    register(alice_children[0], "100.00", "avviso:grande", tipo=TipoMovimento.RICARICA_PAGOPA)  # now in credit
    after = truth(leporano)
    assert after != before
    assert conti(leporano) == after
    assert conti(leporano, Servizio.TRASPORTO) == truth(leporano, Servizio.TRASPORTO)
    in_debito = {k: v for k, v in after.items() if v[0] <= Decimal("-1")}
    assert conti(leporano, in_debito=True) == in_debito and 0 < len(in_debito) < len(after)
    saldi_consolida()
    assert conti(leporano) == after
    assert saldi_consolida() == 0  # nothing new: nothing written twice
    assert conti(leporano) == after


def test_the_office_sees_the_same_debtors_and_a_payment_after_the_night_at_once(
        leporano, alice_children):
    from ufficio.selectors import FiltriMorosi, morosi_all

    sofia = alice_children[1]
    for n in range(5):
        register(sofia, "-4.10", f"pasto:{n}")
    with scope(comune=leporano):
        prima = [(m.consumatore_id, m.servizio, m.saldo) for m in morosi_all(comune=leporano, filtri=FiltriMorosi())]
        assert prima == [(sofia.pk, "mensa", Decimal("-20.50"))]
        saldi_consolida()
        assert [(m.consumatore_id, m.servizio, m.saldo)
                for m in morosi_all(comune=leporano, filtri=FiltriMorosi())] == prima
        register(sofia, "20.50", "lis:1", tipo=TipoMovimento.RICARICA_PUNTOLIS)
        assert morosi_all(comune=leporano, filtri=FiltriMorosi()) == []


@pytest.mark.django_db(transaction=True)
def test_a_movement_still_being_written_when_the_job_starts_is_counted_once(leporano, alice_children):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL")
    child = alice_children[0]
    register(child, "-4.10", "pasto:1")
    inserted, release = threading.Event(), threading.Event()

    def slow_writer():
        # A payment whose transaction has its id but is not committed yet when the job takes its horizon.
        try:
            with transaction.atomic():
                register(child, "50.00", "avviso:1", tipo=TipoMovimento.RICARICA_PAGOPA)
                inserted.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    assert inserted.wait(timeout=30)
    job = threading.Thread(target=lambda: (saldi_consolida(), connections.close_all()))
    job.start()
    time.sleep(0.5)
    assert job.is_alive()  # waiting for the writer: no horizon is taken above an uncommitted id
    release.set()
    writer.join()
    job.join(timeout=60)
    with scope(comune=leporano):
        assert SaldoConsolidato.objects.get().saldo == Decimal("45.90")
    assert conti(leporano) == truth(leporano)


@pytest.mark.django_db(transaction=True)
def test_two_jobs_at_once_fold_every_movement_once(leporano, alice_children):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL")
    ledger(alice_children, 0)
    run_at_once(lambda n: saldi_consolida(chunk=2), 2)
    assert conti(leporano) == truth(leporano)
    with scope(comune=leporano):
        totale = SaldoConsolidato.objects.aggregate(t=Sum("saldo"))["t"]
        assert totale == Movimento.objects.aggregate(t=Sum("importo"))["t"]


def test_a_consolidation_committed_during_the_read_makes_it_read_again(leporano, alice_children):
    """conti_leggi names the horizon as a value: when a consolidation moves it between the read of the
    horizon and the statement, the statement runs again, so no movement is counted twice or missed."""
    ledger(alice_children, 0)
    saldi_consolida()
    register(alice_children[0], "-4.10", "pasto:dopo")
    expected = truth(leporano)
    statements = []

    def consolidation_in_between(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if "conti_recenti" in sql:
            statements.append(params["fino_a"])
            if len(statements) == 1:  # as if the hourly job committed right after this statement
                saldi_consolida()
        return result

    with connection.execute_wrapper(consolidation_in_between):
        assert conti(leporano) == expected
    assert len(statements) == 2 and statements[1] > statements[0]

"""The monthly transport debit: one ledger row per enrolled consumer per month, set-based, idempotent."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from pagamenti.models import Movimento, Servizio, TipoMovimento
from pagamenti.selectors import saldo
from tests.concurrency import run_at_once
from trasporto.models import FasciaIsee, Percorso, RegolaMeseParziale
from trasporto.services import MESE_FORMATO_ERROR, impostazioni_for, iscrizione_end, mensilita_debit

from .factories import TariffaFactory


def _debit(comune, mese):
    with scope(comune=comune):
        return mensilita_debit(comune=comune, mese=mese)


def _fees(comune, consumatore):
    with scope(comune=comune):
        return list(
            Movimento.objects.filter(consumatore=consumatore, servizio=Servizio.TRASPORTO)
            .order_by("chiave").values_list("chiave", "importo", "tipo")
        )


def test_it_debits_the_april_fee_once_on_the_transport_account(leporano_trasporto, alice_children, enrol):
    sofia, leonardo = alice_children[1], alice_children[0]
    enrol(sofia)
    esito = _debit(leporano_trasporto, "2026-04")
    assert esito.addebitati == 1
    assert _fees(leporano_trasporto, sofia) == [("mese:2026-04", Decimal("-25.00"), TipoMovimento.MENSILITA)]
    assert _fees(leporano_trasporto, leonardo) == []
    with scope(comune=leporano_trasporto):
        assert saldo(consumatore=sofia, servizio=Servizio.TRASPORTO) == Decimal("-25.00")
        assert saldo(consumatore=sofia, servizio=Servizio.MENSA) == Decimal("0.00")
        movimento = Movimento.objects.get(consumatore=sofia)
    assert movimento.descrizione == "Mensilità trasporto aprile 2026"
    assert movimento.riferimento == "2026-04"
    assert movimento.data_valuta == datetime.date(2026, 4, 1)


def test_running_the_same_month_twice_writes_nothing_the_second_time(leporano_trasporto, alice_children, enrol):
    for child in alice_children:
        enrol(child)
    assert _debit(leporano_trasporto, "2026-04").addebitati == 2
    assert _debit(leporano_trasporto, "2026-04").addebitati == 0
    with scope(comune=leporano_trasporto):
        assert Movimento.objects.filter(servizio=Servizio.TRASPORTO).count() == 2


def test_no_fee_for_a_month_before_the_activation_date(leporano_trasporto, alice_children, enrol):
    enrol(alice_children[0])  # enrolled from 2 March 2026, activation 1 April 2026
    esito = _debit(leporano_trasporto, "2026-03")
    assert esito.addebitati == 0
    assert esito.motivo_nessun_addebito == "servizio non ancora attivo"
    assert _fees(leporano_trasporto, alice_children[0]) == []


def test_no_fee_when_the_comune_has_no_activation_date(leporano, alice_children):
    assert _debit(leporano, "2026-04").addebitati == 0


def test_no_fee_outside_the_months_of_service(leporano_trasporto, alice_children, enrol):
    enrol(alice_children[0], data_fine=datetime.date(2026, 6, 10))
    with scope(comune=leporano_trasporto):
        impostazioni = impostazioni_for(comune=leporano_trasporto)
        impostazioni.mesi_servizio = "9,10,11,12,1,2,3,4,5"
        impostazioni.save()
    assert _debit(leporano_trasporto, "2026-06").addebitati == 0
    assert _debit(leporano_trasporto, "2026-05").addebitati == 1


def test_a_month_after_the_enrolment_ended_is_not_debited(leporano_trasporto, alice_children, enrol):
    enrol(alice_children[0], data_fine=datetime.date(2026, 4, 30))
    assert _debit(leporano_trasporto, "2026-04").addebitati == 1
    assert _debit(leporano_trasporto, "2026-05").addebitati == 0


def test_a_consumer_who_left_mid_month_pays_the_full_month_by_default(leporano_trasporto, alice_children, enrol):
    iscrizione = enrol(alice_children[0])
    with scope(comune=leporano_trasporto):
        iscrizione_end(iscrizione=iscrizione, data_fine=datetime.date(2026, 4, 15))
    _debit(leporano_trasporto, "2026-04")
    assert _fees(leporano_trasporto, alice_children[0])[0][1] == Decimal("-25.00")


def test_pro_rata_counts_the_service_days_enrolled(leporano_trasporto, alice_children, enrol):
    with scope(comune=leporano_trasporto):
        impostazioni = impostazioni_for(comune=leporano_trasporto)
        impostazioni.regola_mese_parziale = RegolaMeseParziale.PRO_RATA
        impostazioni.save()
    left = enrol(alice_children[0])
    with scope(comune=leporano_trasporto):
        # April 2026 has 22 weekdays; 1–15 April holds 11 of them.
        iscrizione_end(iscrizione=left, data_fine=datetime.date(2026, 4, 15))
    enrol(alice_children[1], data_inizio=datetime.date(2026, 4, 1))
    _debit(leporano_trasporto, "2026-04")
    assert _fees(leporano_trasporto, alice_children[0])[0][1] == Decimal("-12.50")
    assert _fees(leporano_trasporto, alice_children[1])[0][1] == Decimal("-25.00")


def test_pro_rata_sums_two_enrolments_of_the_same_month(leporano_trasporto, alice_children, enrol, fermate):
    with scope(comune=leporano_trasporto):
        impostazioni = impostazioni_for(comune=leporano_trasporto)
        impostazioni.regola_mese_parziale = RegolaMeseParziale.PRO_RATA
        impostazioni.save()
    child = alice_children[0]
    enrol(child, data_inizio=datetime.date(2026, 4, 1), data_fine=datetime.date(2026, 4, 15))
    enrol(child, data_inizio=datetime.date(2026, 4, 16), percorso=Percorso.SOLO_ANDATA, fermata=fermate[0])
    _debit(leporano_trasporto, "2026-04")
    # 11/22 of 25 € + 11/22 of 15 €
    assert _fees(leporano_trasporto, child) == [("mese:2026-04", Decimal("-20.00"), TipoMovimento.MENSILITA)]


def test_full_month_rule_charges_the_dearest_enrolment_once(leporano_trasporto, alice_children, enrol, fermate):
    child = alice_children[0]
    enrol(child, data_inizio=datetime.date(2026, 4, 1), data_fine=datetime.date(2026, 4, 15),
          percorso=Percorso.SOLO_ANDATA)
    enrol(child, data_inizio=datetime.date(2026, 4, 16))
    _debit(leporano_trasporto, "2026-04")
    assert _fees(leporano_trasporto, child) == [("mese:2026-04", Decimal("-25.00"), TipoMovimento.MENSILITA)]


def test_a_tariff_change_between_months_applies_from_its_month(leporano_trasporto, alice_children, enrol):
    from trasporto.models import TariffaTrasporto

    with scope(comune=leporano_trasporto):
        TariffaTrasporto.objects.filter(percorso=Percorso.ANDATA_RITORNO).update(valido_al=datetime.date(2026, 4, 30))
    TariffaFactory(comune=leporano_trasporto, percorso=Percorso.ANDATA_RITORNO, importo_mensile=Decimal("27.50"),
                   valido_dal=datetime.date(2026, 5, 1))
    enrol(alice_children[0])
    _debit(leporano_trasporto, "2026-04")
    _debit(leporano_trasporto, "2026-05")
    assert _fees(leporano_trasporto, alice_children[0]) == [
        ("mese:2026-04", Decimal("-25.00"), TipoMovimento.MENSILITA),
        ("mese:2026-05", Decimal("-27.50"), TipoMovimento.MENSILITA),
    ]


def test_isee_brackets_exemptions_and_sibling_reductions(leporano_trasporto, alice_children, enrol):
    from tests.factories import ConsumatoreFactory

    with scope(comune=leporano_trasporto):
        fascia = FasciaIsee.objects.create(comune=leporano_trasporto, nome="Fascia A", isee_a=Decimal("8000"))
    TariffaFactory(comune=leporano_trasporto, fascia=fascia, importo_mensile=Decimal("10.00"),
                   riduzione_fratelli=Decimal("20"))
    from trasporto.models import TariffaTrasporto

    with scope(comune=leporano_trasporto):
        TariffaTrasporto.objects.filter(fascia=None, percorso=Percorso.ANDATA_RITORNO).update(
            riduzione_fratelli=Decimal("30"))
    sofia, leonardo = alice_children[1], alice_children[0]
    terzo = ConsumatoreFactory(comune=leporano_trasporto, nome="Marco")
    quarto = ConsumatoreFactory(comune=leporano_trasporto, nome="Anna")
    enrol(sofia)  # full tariff
    enrol(leonardo, riduzione_fratelli=True)  # 25 - 30%
    enrol(terzo, fascia=fascia, riduzione_fratelli=True)  # 10 - 20%
    enrol(quarto, esente=True)
    assert _debit(leporano_trasporto, "2026-04").addebitati == 3
    assert _fees(leporano_trasporto, sofia)[0][1] == Decimal("-25.00")
    assert _fees(leporano_trasporto, leonardo)[0][1] == Decimal("-17.50")
    assert _fees(leporano_trasporto, terzo)[0][1] == Decimal("-8.00")
    assert _fees(leporano_trasporto, quarto) == []


def test_a_zero_tariff_writes_no_movement(leporano_trasporto, alice_children, enrol):
    with scope(comune=leporano_trasporto):
        fascia = FasciaIsee.objects.create(comune=leporano_trasporto, nome="Esenti ISEE")
    TariffaFactory(comune=leporano_trasporto, fascia=fascia, importo_mensile=Decimal("0.00"))
    enrol(alice_children[0], fascia=fascia)
    assert _debit(leporano_trasporto, "2026-04").addebitati == 0


def test_the_debit_never_touches_another_comune(leporano_trasporto, pulsano, alice_children, charlie_child, enrol):
    enrol(alice_children[0])
    pulsano.data_attivazione_trasporto = datetime.date(2026, 1, 1)
    pulsano.save()
    TariffaFactory(comune=pulsano)
    assert _debit(pulsano, "2026-04").addebitati == 0
    assert _fees(leporano_trasporto, alice_children[0]) == []


def test_a_malformed_month_is_refused(leporano_trasporto):
    with pytest.raises(ValidationError) as exc:
        _debit(leporano_trasporto, "aprile")
    assert exc.value.messages == [str(MESE_FORMATO_ERROR)]


def test_the_command_runs_the_same_code(leporano_trasporto, alice_children, enrol, capsys):
    enrol(alice_children[0])
    call_command("trasporto_debit", "--month", "2026-04")
    call_command("trasporto_debit", "--month", "2026-04", "--comune", "leporano")
    out = capsys.readouterr().out
    assert "Leporano 2026-04: 1 mensilità addebitate" in out
    assert "Leporano 2026-04: 0 mensilità addebitate" in out
    assert len(_fees(leporano_trasporto, alice_children[0])) == 1


def test_the_command_refuses_a_bad_month(leporano_trasporto):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="AAAA-MM"):
        call_command("trasporto_debit", "--month", "2026-13")


def test_beat_enqueues_the_debit_on_the_comune_debit_day(
    leporano_trasporto, alice_children, enrol, monkeypatch, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from trasporto.tasks import mensilita_debit_due

    enrol(alice_children[0])
    with scope(comune=leporano_trasporto):
        impostazioni = impostazioni_for(comune=leporano_trasporto)
        impostazioni.giorno_addebito = 5
        impostazioni.save()
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2026, 4, 4))
    assert mensilita_debit_due() == []
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2026, 4, 5))
    with django_capture_on_commit_callbacks(execute=True):
        assert mensilita_debit_due() == ["leporano:2026-04"]
    assert _fees(leporano_trasporto, alice_children[0]) == [
        ("mese:2026-04", Decimal("-25.00"), TipoMovimento.MENSILITA)
    ]


@pytest.mark.django_db(transaction=True)
def test_two_workers_debiting_at_once_write_each_fee_once(leporano_trasporto, alice_children, enrol):
    for child in alice_children:
        enrol(child)
    results = run_at_once(lambda n: _debit(leporano_trasporto, "2026-04").addebitati, 2)
    assert sorted(results) in ([0, 2], [1, 1])
    with scope(comune=leporano_trasporto):
        assert Movimento.objects.filter(servizio=Servizio.TRASPORTO).count() == 2


# A run after which nothing the debit reads has changed returns without reading the ledger (the fingerprint of
# trasporto.services._impronta); any change to what it reads, however written, makes the next run read again.
def _ledger_read(comune, mese):
    """(fees written, whether the run read the ledger)."""
    with CaptureQueriesContext(connection) as queries:
        written = _debit(comune, mese).addebitati
    return written, any("pagamenti_movimento" in q["sql"] for q in queries.captured_queries)


def test_a_second_run_with_nothing_changed_does_not_read_the_ledger(leporano_trasporto, alice_children, enrol):
    for child in alice_children:
        enrol(child)
    assert _ledger_read(leporano_trasporto, "2026-04") == (2, True)
    assert _ledger_read(leporano_trasporto, "2026-04") == (0, False)
    assert _ledger_read(leporano_trasporto, "2026-05") == (2, True)  # each month its own record


@pytest.mark.parametrize("change", ["late_enrolment", "dates_by_update", "exemption_lifted", "tariff_raised",
                                    "settings_saved"])
def test_whatever_changes_what_the_debit_reads_makes_it_read_again(
        leporano_trasporto, alice_children, enrol, change):
    """Each change is written in the same transaction as the first run (as one request or one command
    would), where the row versions keep their transaction id: the fingerprint still sees it."""
    from trasporto.models import Iscrizione, TariffaTrasporto

    sofia, leonardo = alice_children[1], alice_children[0]
    enrol(sofia)
    with scope(comune=leporano_trasporto):
        fascia = FasciaIsee.objects.create(comune=leporano_trasporto, nome="Prima fascia")
    tariffa_zero = TariffaFactory(comune=leporano_trasporto, fascia=fascia, importo_mensile=Decimal("0.00"))
    if change == "dates_by_update":
        iscrizione = enrol(leonardo, data_inizio=datetime.date(2026, 5, 4), data_fine=datetime.date(2026, 6, 10))
    elif change == "exemption_lifted":
        iscrizione = enrol(leonardo, esente=True)
    elif change == "tariff_raised":
        iscrizione = enrol(leonardo, fascia=fascia)
    assert _ledger_read(leporano_trasporto, "2026-04") == (1, True)
    assert _ledger_read(leporano_trasporto, "2026-04") == (0, False)
    with scope(comune=leporano_trasporto):
        if change == "late_enrolment":
            enrol(leonardo)
        elif change == "dates_by_update":  # a queryset update: no save(), no signal
            Iscrizione.objects.filter(pk=iscrizione.pk).update(data_inizio=datetime.date(2026, 4, 1))
        elif change == "exemption_lifted":
            Iscrizione.objects.filter(pk=iscrizione.pk).update(esente=False)
        elif change == "tariff_raised":
            TariffaTrasporto.objects.filter(pk=tariffa_zero.pk).update(importo_mensile=Decimal("12.00"))
        else:
            impostazioni_for(comune=leporano_trasporto).save()
    expected = 0 if change == "settings_saved" else 1
    assert _ledger_read(leporano_trasporto, "2026-04") == (expected, True)
    assert _ledger_read(leporano_trasporto, "2026-04") == (0, False)
    if expected:
        assert [chiave for chiave, _importo, _tipo in _fees(leporano_trasporto, leonardo)] == ["mese:2026-04"]


def test_a_change_committed_between_the_fingerprint_and_the_debit_is_debited_and_read_again(
        leporano_trasporto, alice_children, enrol, monkeypatch):
    """The fingerprint is read before the debit's statement: an enrolment written in between is debited now,
    and the record keeps the older fingerprint, so the next run reads again (and writes nothing)."""
    from trasporto import services

    sofia, leonardo = alice_children[1], alice_children[0]
    enrol(sofia)
    real = services._impronta

    def then_a_late_enrolment(**kwargs):
        impronta = real(**kwargs)
        monkeypatch.setattr(services, "_impronta", real)
        enrol(leonardo)
        return impronta

    monkeypatch.setattr(services, "_impronta", then_a_late_enrolment)
    assert _ledger_read(leporano_trasporto, "2026-04") == (2, True)
    assert _ledger_read(leporano_trasporto, "2026-04") == (0, True)
    assert _ledger_read(leporano_trasporto, "2026-04") == (0, False)

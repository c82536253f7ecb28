"""The debt rules of one night applied to many families at once: each gets its own message, the
suspensions and lifts are right, and the work does not grow by a query per family."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from mensa.addebito import meal_debit_run
from mensa.debiti import debt_rules_apply
from mensa.models import IscrizioneMensa, Sospensione
from notifiche.models import Notifica
from pagamenti.consolidamento import saldi_consolida
from pagamenti.models import Servizio, TipoMovimento
from pagamenti.services import movimento_register
from tests.factories import ConsumatoreFactory, TutoreFactory, UserFactory

from .conftest import MONDAY

TUESDAY = MONDAY + datetime.timedelta(1)


def _family(comune, classe, tariffa, nome, opening):
    """One more child of the class, enrolled, with a parent and an opening canteen balance."""
    parent = UserFactory(email=f"{nome.lower()}@example.org")
    child = ConsumatoreFactory(comune=comune, nome=nome, cognome="Famiglia", classe=classe)
    TutoreFactory(comune=comune, consumatore=child, utente=parent)
    with scope(comune=comune):
        IscrizioneMensa.objects.create(comune=comune, consumatore=child, tariffa=tariffa,
                                       data_inizio=datetime.date(2026, 9, 14))
        movimento_register(consumatore=child, servizio=Servizio.MENSA, tipo=TipoMovimento.SALDO_INIZIALE,
                           importo=Decimal(opening), data_valuta=datetime.date(2026, 9, 13), chiave="saldo_iniziale")
    return parent, child


@pytest.fixture
def class_of(leporano, alice_children, mensa_alice):
    with scope(comune=leporano):
        return alice_children[0].classe


def _titles(comune, user):
    with scope(comune=comune):
        return list(Notifica.objects.filter(user=user).values_list("titolo", flat=True))


# The balances of the night are the accounts' consolidated sums plus the newer movements (pagamenti.consolidamento):
# the same whether the hourly job has folded the opening balances in, and the Monday meals, or not.
@pytest.mark.parametrize("consolidato", [False, True], ids=["ledger-only", "consolidated-sums"])
def test_one_night_gives_every_family_its_own_message(leporano, class_of, mensa_alice, consolidato):
    # 4,10 € a meal, suspension at 5 meals, warning at 2, low credit under 10 €.
    sospeso, s_child = _family(leporano, class_of, mensa_alice, "Sara", "-16.40")  # -20,50 after Monday
    debito, d_child = _family(leporano, class_of, mensa_alice, "Dario", "-4.10")  # -8,20: 2 meals
    basso, b_child = _family(leporano, class_of, mensa_alice, "Bruno", "12.00")  # 7,90: low credit
    ricco, _r_child = _family(leporano, class_of, mensa_alice, "Rita", "200.00")
    if consolidato:
        saldi_consolida()
    with scope(comune=leporano):
        result = meal_debit_run(comune=leporano, giorno=MONDAY)
    assert result["sospesi"] == 1
    assert result["avvisi_debito"] == 1
    assert result["avvisi_credito"] == 3  # Bruno, and alice's two children who start from zero
    assert _titles(leporano, sospeso) == ["Servizio mensa sospeso per Sara Famiglia"]
    assert _titles(leporano, debito) == ["Dario Famiglia: 2 pasti a debito"]
    assert _titles(leporano, basso) == ["Bruno Famiglia: credito mensa in esaurimento"]
    assert _titles(leporano, ricco) == []
    with scope(comune=leporano):
        sospensione = Sospensione.objects.get(consumatore=s_child)
        assert (sospensione.dal, sospensione.al, sospensione.saldo) == (TUESDAY, None, Decimal("-20.50"))
        assert not Sospensione.objects.exclude(consumatore=s_child).exists()
        # Forced again the same night: nothing more is written or sent.
        again = meal_debit_run(comune=leporano, giorno=MONDAY, force=True)
    assert (again["sospesi"], again["avvisi_debito"], again["avvisi_credito"]) == (0, 0, 0)
    assert len(_titles(leporano, sospeso)) == len(_titles(leporano, debito)) == 1
    if consolidato:
        saldi_consolida()
    # Suspended on Tuesday: Sara eats nothing and is not debited; the others are.
    with scope(comune=leporano):
        tuesday = meal_debit_run(comune=leporano, giorno=TUESDAY)
    assert tuesday["pasti_addebitati"] == 2 + 3  # alice's two, Dario, Bruno, Rita


def test_a_top_up_lifts_the_suspension_in_the_night_and_another_stays(leporano, class_of, mensa_alice):
    _p1, paga = _family(leporano, class_of, mensa_alice, "Paola", "-16.40")
    _p2, resta = _family(leporano, class_of, mensa_alice, "Renato", "-16.40")
    with scope(comune=leporano):
        meal_debit_run(comune=leporano, giorno=MONDAY)
        assert Sospensione.objects.filter(al__isnull=True).count() == 2
        movimento_register(consumatore=paga, servizio=Servizio.MENSA, tipo=TipoMovimento.RICARICA_PAGOPA,
                           importo=Decimal("30.00"), data_valuta=TUESDAY, chiave="avviso:paola")
        result = meal_debit_run(comune=leporano, giorno=TUESDAY)
        assert result["riattivati"] == 1
        lifted = Sospensione.objects.get(consumatore=paga)
        assert (lifted.al, lifted.revocata_da, lifted.motivo_revoca) == (TUESDAY, None, "Saldo ripristinato")
        assert Sospensione.objects.get(consumatore=resta).al is None


def test_an_older_day_run_again_closes_a_later_suspension_before_it_starts(leporano, class_of, mensa_alice):
    _p, child = _family(leporano, class_of, mensa_alice, "Ugo", "-16.40")
    later = MONDAY + datetime.timedelta(3)
    with scope(comune=leporano):
        meal_debit_run(comune=leporano, giorno=later)  # suspended from Friday
        movimento_register(consumatore=child, servizio=Servizio.MENSA, tipo=TipoMovimento.RICARICA_PAGOPA,
                           importo=Decimal("50.00"), data_valuta=later, chiave="avviso:ugo")
        meal_debit_run(comune=leporano, giorno=MONDAY)  # Monday's debit run late, after the top-up
        sospensione = Sospensione.objects.get(consumatore=child)
    # Lifted before it began: its last day is the day before its first, never before the debit day.
    assert sospensione.al == sospensione.dal - datetime.timedelta(1)


def test_the_rules_cost_the_same_queries_for_one_family_or_many(leporano, class_of, mensa_alice):
    from mensa.addebito import meal_debit_for_day

    def night(giorno, families):
        """New families (one suspension, one debt warning, one low credit each), the debit, then the rules."""
        for n in range(families):
            for kind, opening in (("S", "-16.40"), ("D", "-4.10"), ("C", "12.00")):
                _family(leporano, class_of, mensa_alice, f"{kind}{giorno.day}x{n}", opening)
        with scope(comune=leporano):
            meal_debit_for_day(comune=leporano, giorno=giorno)
            with CaptureQueriesContext(connection) as queries:
                result = debt_rules_apply(comune=leporano, giorno=giorno)
        return result, len(queries)

    few, few_queries = night(MONDAY, 1)
    many, many_queries = night(TUESDAY, 4)
    assert (few["sospesi"], few["avvisi_debito"]) == (1, 1)
    assert (many["sospesi"], many["avvisi_debito"]) == (4, 4 + 2)  # alice's two children reach 2 meals too
    assert many_queries == few_queries


# The night reads each balance as consolidated sum + the night's row + the other newer movements, and the
# accounts debited by a correction or suspended in a second part (mensa.debiti._conti). Whatever the hourly
# job has folded in (nothing, the opening balances, or the night's meals too), the balances are the ledger's.
@pytest.mark.parametrize("quando", ["mai", "prima", "dopo"])
def test_the_nights_balances_are_the_ledgers_sums(leporano, class_of, mensa_alice, quando):
    from django.db.models import Max, Q, Sum

    from mensa.debiti import _conti
    from pagamenti.models import Movimento

    _p1, debito = _family(leporano, class_of, mensa_alice, "Dora", "-4.10")
    _p2, ricaricato = _family(leporano, class_of, mensa_alice, "Rino", "2.00")
    _p3, corretto = _family(leporano, class_of, mensa_alice, "Carla", "3.00")
    _p4, sospeso = _family(leporano, class_of, mensa_alice, "Silvio", "-30.00")
    _family(leporano, class_of, mensa_alice, "Ricco", "300.00")
    with scope(comune=leporano):
        # Carla's enrolment ended on Friday: the night skips her, an office correction debits her Monday.
        IscrizioneMensa.objects.filter(consumatore=corretto).update(data_fine=MONDAY - datetime.timedelta(3))
        Sospensione.objects.create(comune=leporano, consumatore=sospeso, dal=MONDAY - datetime.timedelta(7),
                                   saldo=Decimal("-30.00"), episodio=f"{sospeso.pk}:0")
    if quando == "prima":
        saldi_consolida()
    with scope(comune=leporano):
        meal_debit_run(comune=leporano, giorno=MONDAY)
        movimento_register(consumatore=ricaricato, servizio=Servizio.MENSA, tipo=TipoMovimento.RICARICA_PAGOPA,
                           importo=Decimal("5.00"), data_valuta=MONDAY, chiave="avviso:rino")
        movimento_register(consumatore=corretto, servizio=Servizio.MENSA, tipo=TipoMovimento.PASTO,
                           importo=Decimal("-4.10"), data_valuta=MONDAY, chiave=f"pasto:{MONDAY.isoformat()}:1")
    if quando == "dopo":
        saldi_consolida()
    with scope(comune=leporano):
        conti = {c.consumatore_id: (c.saldo, c.ultimo_credito, c.sospeso_dal) for c in
                 _conti(comuni=[leporano], giorno=MONDAY)}
        truth = {
            r["consumatore_id"]: (r["saldo"], r["credito"])
            for r in Movimento.objects.filter(servizio=Servizio.MENSA).values("consumatore_id").annotate(
                saldo=Sum("importo"), credito=Max("id", filter=Q(importo__gt=0))).order_by()
        }
    expected = {pk: (*truth[pk], None) for pk in truth if truth[pk][0] < leporano.soglia_credito_in_esaurimento}
    expected[sospeso.pk] = (*truth[sospeso.pk], MONDAY - datetime.timedelta(7))
    assert conti == expected
    # Who is there: Dora in debt, Rino's 6,90 € after his top-up, Carla by her correction, Silvio suspended
    # without a meal; not the rich one.
    assert {debito.pk, ricaricato.pk, corretto.pk, sospeso.pk} <= set(conti)
    assert conti[ricaricato.pk][0] == Decimal("2.90")

"""The computed tariff: ISEE brackets, "non presento l'ISEE", siblings, exemptions, later changes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from iscrizioni.applica import iscrizione_mensa_imposta, tariffa_mensa_of
from iscrizioni.models import Esenzione
from iscrizioni.services import esenzione_concedi, isee_registra
from iscrizioni.tariffe import tariffa_calcola
from mensa.addebito import meal_debit_for_day
from mensa.models import IscrizioneMensa
from mensa.prezzi import prezzi_del_giorno
from pagamenti.models import Movimento, Servizio
from trasporto.services import iscrizione_create, mensilita_debit

SEPTEMBER = datetime.date(2026, 9, 21)
FRIDAY = datetime.date(2026, 11, 20)
DECEMBER_FIRST = datetime.date(2026, 12, 1)


def _enrol_mensa(comune, anno, child, isee=None):
    """What acceptance does: compute, then enrol at the computed tariff."""
    with scope(comune=comune):
        calcolo = tariffa_calcola(consumatore=child, servizio=Servizio.MENSA, anno_scolastico=anno, isee=isee)
        tariffa = tariffa_mensa_of(calcolo=calcolo, comune_id=comune.pk)
        iscrizione_mensa_imposta(consumatore=child, tariffa=tariffa, dal=SEPTEMBER)
    return calcolo


def _meal(comune, child, giorno):
    with scope(comune=comune):
        meal_debit_for_day(comune=comune, giorno=giorno)
        return Movimento.objects.get(consumatore=child, servizio=Servizio.MENSA, chiave=f"pasto:{giorno}").importo


@pytest.mark.parametrize(("isee", "fascia"), [
    (Decimal("0"), "A"), (Decimal("6999.99"), "A"), (Decimal("7000"), "A"), (Decimal("7000.01"), "B"),
    (Decimal("15000"), "B"), (Decimal("15000.01"), "intera"), (None, "intera"),
])
def test_the_isee_picks_the_bracket_and_no_isee_the_highest_tariff(leporano, anno, tariffe_mensa, famiglia, isee,
                                                                    fascia):
    with scope(comune=leporano):
        calcolo = tariffa_calcola(consumatore=famiglia["figli"][0], servizio=Servizio.MENSA, anno_scolastico=anno,
                                  isee=isee)
    assert calcolo.tariffa_mensa == tariffe_mensa[fascia]
    assert calcolo.rango == 1 and calcolo.riduzione == 0


def test_second_child_pays_20_and_third_40_percent_less_meal_by_meal(leporano, anno, tariffe_mensa, famiglia):
    giulia, marco, anna = famiglia["figli"]
    # Places follow age: the eldest pays in full (acceptance processes a batch eldest first).
    for child in (giulia, marco, anna):
        _enrol_mensa(leporano, anno, child)
    assert [_meal(leporano, c, FRIDAY) for c in (giulia, marco, anna)] == [
        Decimal("-4.10"), Decimal("-3.28"), Decimal("-2.46")]
    with scope(comune=leporano):
        prezzi = prezzi_del_giorno(comune=leporano, giorno=FRIDAY)
        tariffa_marco = IscrizioneMensa.objects.get(consumatore=marco).tariffa
    assert prezzi[tariffa_marco.pk] == Decimal("3.28") and tariffa_marco.tariffa_base == tariffe_mensa["intera"]


def test_a_child_of_other_guardians_is_not_a_sibling(leporano, anno, tariffe_mensa, famiglia):
    _enrol_mensa(leporano, anno, famiglia["figli"][0])
    calcolo = _enrol_mensa(leporano, anno, famiglia["vicino"])
    assert calcolo.rango == 1 and _meal(leporano, famiglia["vicino"], FRIDAY) == Decimal("-4.10")


def test_siblings_count_per_service(leporano, anno, tariffe_mensa, famiglia, bus):
    giulia, marco, _anna = famiglia["figli"]
    _enrol_mensa(leporano, anno, giulia)
    with scope(comune=leporano):
        # Marco only takes the bus: there he is the first child of the family.
        calcolo = tariffa_calcola(consumatore=marco, servizio=Servizio.TRASPORTO, anno_scolastico=anno, isee=None)
    assert calcolo.rango == 1 and calcolo.fascia is None


def test_the_bus_fee_follows_the_isee_bracket_and_the_sibling_rule(leporano, anno, tariffe_mensa, famiglia, bus):
    giulia, marco, _anna = famiglia["figli"]
    with scope(comune=leporano):
        for child, isee in ((giulia, Decimal("5000")), (marco, Decimal("5000"))):
            calcolo = tariffa_calcola(consumatore=child, servizio=Servizio.TRASPORTO, anno_scolastico=anno, isee=isee)
            iscrizione_create(consumatore=child, linea=bus["linea"], fermata=bus["fermate"][0], data_inizio=SEPTEMBER,
                              fascia=calcolo.fascia, riduzione_percentuale=calcolo.riduzione)
        mensilita_debit(comune=leporano, mese="2026-10")
        fees = {m.consumatore_id: m.importo for m in Movimento.objects.filter(servizio=Servizio.TRASPORTO)}
    assert fees == {giulia.pk: Decimal("-12.00"), marco.pk: Decimal("-10.80")}  # 12 € less 10 %


def test_an_exemption_needs_a_reason_and_debits_nothing(leporano, anno, tariffe_mensa, famiglia, bob):
    giulia = famiglia["figli"][0]
    _enrol_mensa(leporano, anno, giulia)
    with scope(comune=leporano), pytest.raises(ValidationError) as error:
        esenzione_concedi(consumatore=giulia, anno_scolastico=anno, servizio=Servizio.MENSA, motivo="  ", da=bob)
    assert "motivo" in error.value.message_dict
    with scope(comune=leporano):
        esenzione_concedi(consumatore=giulia, anno_scolastico=anno, servizio=Servizio.MENSA,
                          motivo="Nucleo seguito dai servizi sociali", da=bob, dal=SEPTEMBER)
        calcolo = tariffa_calcola(consumatore=giulia, servizio=Servizio.MENSA, anno_scolastico=anno)
        meal_debit_for_day(comune=leporano, giorno=FRIDAY)
        assert not Movimento.objects.filter(consumatore=giulia).exists()
    assert calcolo.esente and "servizi sociali" in calcolo.descrizione


def test_a_later_isee_applies_from_next_month_and_past_meals_stay(clock, leporano, anno, tariffe_mensa, famiglia):
    giulia = famiglia["figli"][0]
    _enrol_mensa(leporano, anno, giulia)  # no ISEE yet: the highest tariff
    assert _meal(leporano, giulia, FRIDAY) == Decimal("-4.10")
    with scope(comune=leporano):
        isee_registra(consumatore=giulia, anno_scolastico=anno, isee=Decimal("5000"),
                      protocollo_dsu="INPS-ISEE-2026-12345678A-00")  # today is 23 November 2026
        iscrizioni = list(IscrizioneMensa.objects.filter(consumatore=giulia).order_by("data_inizio")
                          .values_list("tariffa__nome", "data_inizio", "data_fine"))
    assert iscrizioni == [("Tariffa intera", SEPTEMBER, datetime.date(2026, 11, 30)),
                          ("Fascia A", DECEMBER_FIRST, None)]
    assert _meal(leporano, giulia, datetime.date(2026, 11, 24)) == Decimal("-4.10")  # still November
    assert _meal(leporano, giulia, DECEMBER_FIRST) == Decimal("-2.00")
    with scope(comune=leporano):
        assert Movimento.objects.get(consumatore=giulia, chiave=f"pasto:{FRIDAY}").importo == Decimal("-4.10")


def test_a_new_sibling_moves_the_younger_ones_from_next_month(clock, leporano, anno, tariffe_mensa, famiglia):
    giulia, marco, _anna = famiglia["figli"]
    _enrol_mensa(leporano, anno, marco)  # alone: full price
    _enrol_mensa(leporano, anno, giulia)  # the elder sister arrives: she is the first child now
    with scope(comune=leporano):
        isee_registra(consumatore=giulia, anno_scolastico=anno, isee=None)  # recomputes the family
        tariffe = list(IscrizioneMensa.objects.filter(consumatore=marco).order_by("data_inizio")
                       .values_list("tariffa__nome", "data_inizio"))
    assert tariffe == [("Tariffa intera", SEPTEMBER), ("Tariffa intera – fratelli −20 %", DECEMBER_FIRST)]


def test_isee_must_be_plausible(leporano, anno, famiglia):
    with scope(comune=leporano):
        for value in (Decimal("-1"), Decimal("1000000.01")):
            with pytest.raises(ValidationError) as error:
                isee_registra(consumatore=famiglia["figli"][0], anno_scolastico=anno, isee=value)
            assert "isee" in error.value.message_dict


def test_staff_grant_an_exemption_in_the_admin_and_other_comuni_get_404(client, bob, dora, leporano, anno,
                                                                         tariffe_mensa, famiglia):
    giulia = famiglia["figli"][0]
    _enrol_mensa(leporano, anno, giulia)
    client.force_login(bob)
    url = reverse("admin:iscrizioni_esenzione_add")
    data = {"consumatore": giulia.pk, "anno_scolastico": anno.pk, "servizio": Servizio.MENSA, "motivo": ""}
    response = client.post(url, data)
    assert response.status_code == 200 and "motivo" in response.context["adminform"].form.errors
    response = client.post(url, {**data, "motivo": "Disabilità certificata"})
    assert response.status_code == 302
    with scope(comune=leporano):
        esenzione = Esenzione.objects.get()
        assert esenzione.creata_da == bob
        assert IscrizioneMensa.objects.filter(consumatore=giulia, tariffa__esenzione=True).exists()
    client.force_login(dora)
    change = reverse("admin:iscrizioni_esenzione_change", args=[esenzione.pk])
    assert client.get(change).status_code == 404

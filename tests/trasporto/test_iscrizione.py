"""Enrolment rules: every bad input gets its own message and saves nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from trasporto.models import (
    CONSUMATORE_COMUNE_ERROR,
    FERMATA_LINEA_ERROR,
    ISCRIZIONE_SOVRAPPOSTA_ERROR,
    LINEA_COMUNE_ERROR,
    TARIFFA_SOVRAPPOSTA_ERROR,
    Iscrizione,
)

from .factories import FermataFactory, LineaFactory, TariffaFactory


def _count(comune):
    with scope(comune=comune):
        return Iscrizione.objects.count()


def test_it_enrols_to_the_end_of_the_school_year_by_default(alice_children, enrol, fermate):
    iscrizione = enrol(alice_children[0])
    assert iscrizione.data_fine == datetime.date(2026, 6, 10)
    assert iscrizione.fermata == fermate[1]


def test_a_stop_of_another_route_is_refused(leporano_trasporto, alice_children, enrol):
    other = FermataFactory(linea=LineaFactory(comune=leporano_trasporto, nome="Linea Lido Silvana"))
    with pytest.raises(ValidationError) as exc:
        enrol(alice_children[0], fermata=other)
    assert exc.value.message_dict["fermata"] == [str(FERMATA_LINEA_ERROR)]
    assert _count(leporano_trasporto) == 0


def test_overlapping_enrolments_are_refused(leporano_trasporto, alice_children, enrol):
    enrol(alice_children[0], data_fine=datetime.date(2026, 4, 30))
    with pytest.raises(ValidationError) as exc:
        enrol(alice_children[0], data_inizio=datetime.date(2026, 4, 30))
    assert exc.value.message_dict["data_inizio"] == [str(ISCRIZIONE_SOVRAPPOSTA_ERROR)]
    enrol(alice_children[0], data_inizio=datetime.date(2026, 5, 1))  # the day after is fine
    assert _count(leporano_trasporto) == 2


@pytest.mark.parametrize(
    ("inizio", "fine"),
    [(datetime.date(2025, 9, 1), None), (datetime.date(2026, 5, 1), datetime.date(2026, 7, 31))],
)
def test_dates_outside_the_school_year_are_refused(leporano_trasporto, alice_children, enrol, inizio, fine):
    with pytest.raises(ValidationError) as exc:
        enrol(alice_children[0], data_inizio=inizio, data_fine=fine)
    assert "15/09/2025 – 10/06/2026" in exc.value.message_dict["data_inizio"][0]
    assert _count(leporano_trasporto) == 0


def test_an_end_before_the_start_is_refused(alice_children, enrol):
    with pytest.raises(ValidationError) as exc:
        enrol(alice_children[0], data_inizio=datetime.date(2026, 4, 10), data_fine=datetime.date(2026, 4, 1))
    assert "data_fine" in exc.value.message_dict


def test_a_route_of_another_comune_is_refused(leporano_trasporto, pulsano, alice_children, enrol):
    linea = LineaFactory(comune=pulsano, nome="Linea Pulsano")
    fermata = FermataFactory(linea=linea)
    with pytest.raises(ValidationError) as exc:
        enrol(alice_children[0], linea=linea, fermata=fermata)
    assert exc.value.message_dict["linea"] == [str(LINEA_COMUNE_ERROR)]


def test_a_consumer_of_another_comune_is_refused(leporano_trasporto, charlie_child, enrol):
    with pytest.raises(ValidationError) as exc:
        enrol(charlie_child)
    # The enrolment takes the consumer's comune, so the Leporano route no longer matches.
    assert exc.value.message_dict["linea"] == [str(LINEA_COMUNE_ERROR)]


def test_the_model_refuses_a_consumer_of_another_comune(leporano_trasporto, charlie_child, linea, fermate):
    iscrizione = Iscrizione(comune=leporano_trasporto, consumatore=charlie_child, linea=linea, fermata=fermate[0],
                            data_inizio=datetime.date(2026, 4, 1), data_fine=datetime.date(2026, 4, 30))
    with scope(comune=leporano_trasporto), pytest.raises(ValidationError) as exc:
        iscrizione.full_clean()
    assert exc.value.message_dict["consumatore"] == [str(CONSUMATORE_COMUNE_ERROR)]


def test_overlapping_tariffs_for_the_same_trip_and_bracket_are_refused(leporano_trasporto):
    tariffa = TariffaFactory.build(comune=leporano_trasporto, valido_dal=datetime.date(2026, 1, 1))
    with scope(comune=leporano_trasporto), pytest.raises(ValidationError) as exc:
        tariffa.full_clean()
    assert exc.value.messages == [str(TARIFFA_SOVRAPPOSTA_ERROR)]

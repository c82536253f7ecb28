"""Bulk acceptance is set-based: the same number of queries for 2 or 10 applications, and two staff
accepting the same applications at once accept each one once."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from iscrizioni.accoglienza import domande_accogli
from iscrizioni.models import Domanda, SituazioneIsee, StatoDomanda
from mensa.models import IscrizioneMensa
from notifiche.models import Notifica
from tests.factories import UserFactory
from trasporto.models import Iscrizione

from .conftest import domanda_inviata

# The transaction's savepoint and its release (2); lock the applications (1); the comune's tariff
# tables (ContestoTariffe: tariffs, prices, reduced tariffs' prices, bus brackets, sibling rules: 5);
# consumers by codice fiscale (1); the families' guardians with birth dates (1); exemption and reduced
# tariffs (1). Writes: the reduced tariff (1), consumers (1), class history (1), guardians (1), ISEE (1),
# canteen (1) and bus (1) enrolments, the decisions (1), the notifications (1). (New children: their
# guardians, enrolments and exemptions are not read.)
QUERIES = 19  # the day's meal prices are one query (mensa.prezzi)
NOVEMBRE = datetime.date(2026, 11, 23)


def _famiglie(n, *, anno, famiglia, bus):
    """n applications of n/2 new families: the elder child asks canteen and bus, the younger the canteen."""
    domande = []
    for i in range(n // 2):
        utente = UserFactory(email=f"famiglia{i}@example.org", first_name="Genitore", last_name=f"Rossi{i}")
        for nome, nascita, trasporto in (("Chiara", datetime.date(2017, 3, 1 + i), (bus["linea"], bus["fermate"][0])),
                                         ("Marta", datetime.date(2020, 6, 1 + i), None)):
            domande.append(domanda_inviata(
                utente=utente, anno=anno, scuola=famiglia["classe"].scuola, classe=famiglia["classe"], nome=nome,
                cognome=f"Rossi{'ABCDE'[i]}", nascita=nascita, isee=Decimal("5000"),
                protocollo_dsu="INPS-ISEE-2026-12345678A-00", trasporto=trasporto))
    return domande


@pytest.mark.parametrize("n", [2, 10])
def test_accepting_runs_a_fixed_number_of_queries(n, clock, bob, leporano, anno, famiglia, bus, finestre,
                                                  tariffe_mensa):
    domande = _famiglie(n, anno=anno, famiglia=famiglia, bus=bus)
    with scope(comune=leporano), CaptureQueriesContext(connection) as queries:
        assert domande_accogli(domande=domande, da=bob, giorno=NOVEMBRE) == (n, [])
    assert len(queries) == QUERIES, "\n".join(q["sql"][:150] for q in queries)
    with scope(comune=leporano):
        mensa = {(i.consumatore.nome, i.consumatore.cognome): i.tariffa for i in
                 IscrizioneMensa.objects.select_related("consumatore", "tariffa")}
        assert Iscrizione.objects.count() == n // 2 and SituazioneIsee.objects.count() == n
        assert set(Domanda.objects.values_list("stato", flat=True)) == {StatoDomanda.ACCOLTA}
        assert Notifica.objects.filter(titolo__contains="accolta").count() == n
    # Each family: the elder pays Fascia A in full, the younger 20 % less (the sibling rule).
    for i in range(n // 2):
        assert mensa["Chiara", f"Rossi{'ABCDE'[i]}"] == tariffe_mensa["A"]
        assert mensa["Marta", f"Rossi{'ABCDE'[i]}"].tariffa_base == tariffe_mensa["A"]
        assert mensa["Marta", f"Rossi{'ABCDE'[i]}"].riduzione_percentuale == Decimal("20")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_acceptances_accept_each_application_once(clock, bob, leporano, anno, famiglia, bus,
                                                                 finestre, tariffe_mensa):
    domande = _famiglie(4, anno=anno, famiglia=famiglia, bus=bus)
    barrier, results, failures = threading.Barrier(2), [], []

    def accept():
        try:
            with scope(comune=leporano):
                barrier.wait(timeout=10)
                results.append(domande_accogli(domande=domande, da=bob, giorno=NOVEMBRE))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    assert sorted(results) == [(0, []), (4, [])]
    with scope(comune=leporano):
        assert IscrizioneMensa.objects.count() == 4 and Iscrizione.objects.count() == 2
        assert Notifica.objects.filter(titolo__contains="accolta").count() == 4
        assert set(Domanda.objects.values_list("stato", flat=True)) == {StatoDomanda.ACCOLTA}


def test_the_batch_places_siblings_as_the_one_by_one_rule(clock, bob, alice, leporano, anno, famiglia, finestre,
                                                          tariffe_mensa):
    """Giulia and Anna De Marco apply; Marco, between them, eats at the canteen since September.
    The batch gives Giulia the full bracket, Anna the third child's −40 %, and moves Marco to −20 %
    from next month: what tariffa_calcola says for each on the final data."""
    from iscrizioni.applica import iscrizione_mensa_imposta
    from iscrizioni.tariffe import tariffa_calcola
    from pagamenti.models import Servizio

    giulia, marco, anna = famiglia["figli"]
    with scope(comune=leporano):
        iscrizione_mensa_imposta(consumatore=marco, tariffa=tariffe_mensa["intera"], dal=datetime.date(2026, 9, 21))
    domande = [domanda_inviata(utente=alice, anno=anno, scuola=famiglia["classe"].scuola, classe=famiglia["classe"],
                               consumatore=child, nome=child.nome, cognome=child.cognome, nascita=child.data_nascita,
                               isee=Decimal("5000"), protocollo_dsu="INPS-ISEE-2026-12345678A-00")
               for child in (anna, giulia)]
    with scope(comune=leporano):
        assert domande_accogli(domande=domande, da=bob, giorno=NOVEMBRE) == (2, [])
        righe = {(r.consumatore_id, r.data_inizio): r.tariffa for r in
                 IscrizioneMensa.objects.select_related("tariffa")}
        ranghi = {c.pk: tariffa_calcola(consumatore=c, servizio=Servizio.MENSA, anno_scolastico=anno).rango
                  for c in (giulia, marco, anna)}
    assert ranghi == {giulia.pk: 1, marco.pk: 2, anna.pk: 3}
    assert righe[giulia.pk, NOVEMBRE] == tariffe_mensa["A"]
    assert righe[anna.pk, NOVEMBRE].tariffa_base == tariffe_mensa["A"]
    assert righe[anna.pk, NOVEMBRE].riduzione_percentuale == Decimal("40")
    assert righe[marco.pk, datetime.date(2026, 12, 1)].riduzione_percentuale == Decimal("20")

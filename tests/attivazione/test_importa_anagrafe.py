"""The registry import: dry run writes nothing, apply writes all, a second run changes nothing, a corrected
workbook updates by codice fiscale, every kind of problem is named with sheet, row, column and value."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django_scopes import scope

from attivazione.anagrafe import righe as r
from attivazione.anagrafe.importa import anagrafe_importa
from attivazione.anagrafe.lettura import DATA_NON_VALIDA
from attivazione.anagrafe.modello import cartella_di_lavoro
from consumatori.models import Classe, ClasseConsumatore, Consumatore, Scuola, Tutore
from mensa.menu.models import DietaConsumatore
from mensa.models import IscrizioneMensa
from pagamenti.models import Movimento
from tests.factories import cf_for
from trasporto.models import Iscrizione

from .conftest import CF_ANNA, CF_GIULIA, CF_LUCA, CF_PAOLO, righe_buone


def _conta(comune):
    with scope(comune=comune):
        return {m.__name__: m.objects.filter(comune=comune).count() for m in (
            Scuola, Classe, Consumatore, ClasseConsumatore, Tutore, IscrizioneMensa, DietaConsumatore, Iscrizione,
            Movimento)}


def test_the_dry_run_counts_and_writes_nothing(pronto, workbook):
    prima = _conta(pronto)
    esito = anagrafe_importa(comune=pronto, files=[("anagrafe.xlsx", workbook)])
    assert esito.problemi == []
    assert not esito.applicato
    assert esito.conteggi["alunni"] == {"creati": 3, "aggiornati": 0, "invariati": 0}
    assert esito.conteggi["tutori"]["creati"] == 3
    assert esito.conteggi["iscrizioni_trasporto"]["creati"] == 1
    assert _conta(pronto) == prima


def test_apply_writes_everything_and_a_second_run_changes_nothing(pronto, workbook):
    esito = anagrafe_importa(comune=pronto, files=[("anagrafe.xlsx", workbook)], applica=True)
    assert esito.ok and esito.applicato
    dopo = _conta(pronto)
    assert dopo == {"Scuola": 2, "Classe": 3, "Consumatore": 3, "ClasseConsumatore": 3, "Tutore": 3,
                    "IscrizioneMensa": 3, "DietaConsumatore": 1, "Iscrizione": 1, "Movimento": 2}
    with scope(comune=pronto):
        giulia = Consumatore.objects.get(codice_fiscale=CF_GIULIA)
        assert giulia.classe.denominazione == "3ª B"
        assert giulia.codice_pagamento == "OLD123"  # the old system's code, free: kept
        assert Consumatore.objects.get(codice_fiscale=CF_ANNA).classe.denominazione == "4ª A"
        luca = IscrizioneMensa.objects.get(consumatore__codice_fiscale=CF_LUCA)
        assert luca.tariffa.nome == "Fascia B"  # ISEE 8.500,00 picks the bracket
        saldi = dict(Movimento.objects.filter(comune=pronto).values_list("consumatore__codice_fiscale", "importo"))
        assert saldi == {CF_GIULIA: Decimal("-12.50"), CF_ANNA: Decimal("20.00")}
        assert Tutore.objects.filter(codice_fiscale=CF_PAOLO).count() == 2

    again = anagrafe_importa(comune=pronto, files=[("anagrafe.xlsx", workbook)], applica=True)
    assert again.ok
    assert all(c["creati"] == 0 and c["aggiornati"] == 0 for c in again.conteggi.values()), again.conteggi
    assert again.conteggi["alunni"]["invariati"] == 3
    assert _conta(pronto) == dopo


def test_a_corrected_workbook_updates_by_codice_fiscale_and_deletes_nothing(pronto, workbook):
    anagrafe_importa(comune=pronto, files=[("anagrafe.xlsx", workbook)], applica=True)
    righe = righe_buone()
    righe["alunni"] = [[CF_GIULIA, "Caramia", "Giulia Maria", datetime.date(2018, 3, 4), "TAEE83201X", 4, "A", ""]]
    righe["tutori"] = [[CF_GIULIA, CF_PAOLO, "Caramia", "Paolo", "genitore", "nuova@example.org", ""]]
    righe["iscrizioni_mensa"] = [[CF_GIULIA, "14/09/2026", "", "Fascia A", ""]]
    for foglio in ("iscrizioni_trasporto", "saldi"):
        del righe[foglio]
    esito = anagrafe_importa(comune=pronto, files=[("corretto.xlsx", cartella_di_lavoro(righe))], applica=True)
    assert esito.ok, esito.problemi
    assert esito.conteggi["alunni"] == {"creati": 0, "aggiornati": 1, "invariati": 0}
    with scope(comune=pronto):
        giulia = Consumatore.objects.get(codice_fiscale=CF_GIULIA)
        assert (giulia.nome, giulia.classe.denominazione) == ("Giulia Maria", "4ª A")
        assert ClasseConsumatore.objects.get(consumatore=giulia).classe == giulia.classe
        paolo = Tutore.objects.get(consumatore=giulia, codice_fiscale=CF_PAOLO)
        assert (paolo.email, paolo.telefono) == ("nuova@example.org", "333 1")  # empty cell keeps the phone
        assert IscrizioneMensa.objects.get(consumatore=giulia).tariffa.nome == "Fascia A"
        assert Consumatore.objects.filter(comune=pronto).count() == 3  # Luca and Anna stay


def _bad_check_digit(cf: str) -> str:
    return cf[:15] + ("A" if cf[15] != "A" else "B")


def test_every_kind_of_problem_is_named_and_nothing_is_written(pronto):
    righe = righe_buone()
    cf_sbagliato = _bad_check_digit(CF_LUCA)
    cf_ignoto = "DMTRSO16S70L049" + "X"
    righe["alunni"] += [
        [cf_sbagliato, "Errato", "Codice", "01/01/2019", "TAEE83201X", 3, "B", ""],        # row 5
        [CF_ANNA, "Dimitri", "Anna", "2016-11-30", "TAEE83201X", 3, "B", ""],  # row 6: twice, other data
        [cf_for("Bianco", "Lara", "F"), "Bianco", "Lara", "01/01/2019", "TAXX00000X", 1, "A", ""],  # row 7
        [cf_for("Verdi", "Marco"), "Verdi", "Marco", "32/01/2019", "TAEE83201X", 3, "B", ""],  # row 8
    ]
    righe["tutori"].append(["", "", "Solo", "Tutore", "genitore", "", ""])                # row 5: no child
    righe["tutori"].append([cf_ignoto, "", "Nessuno", "Figlio", "genitore", "non-una-email", ""])  # row 6
    righe["iscrizioni_mensa"].append([cf_ignoto, "14/09/2026", "", "Tariffa intera", ""])  # row 5
    righe["iscrizioni_mensa"].append([CF_GIULIA, "01/10/2026", "", "Tariffa ridotta", ""])  # row 6
    righe["classi"].append(["TAZZ99999X", "2026/27", 1, "A"])                                  # row 5
    righe["classi"].append(["TAEE83201X", "2030/31", 1, "A"])                                  # row 6
    prima = _conta(pronto)
    esito = anagrafe_importa(comune=pronto, files=[("anagrafe.xlsx", cartella_di_lavoro(righe))], applica=True)
    trovati = {(p.foglio, p.riga, p.colonna, p.valore): p.messaggio for p in esito.problemi}
    assert not esito.applicato
    assert _conta(pronto) == prima

    assert "controllo" in trovati[("alunni", 5, "codice_fiscale", cf_sbagliato)]
    assert trovati[("alunni", 6, "codice_fiscale", CF_ANNA)] == str(r.DUPLICATO_DIVERSO % {"riga": 4})
    assert trovati[("alunni", 7, "sezione", "TAXX00000X 1A")] == str(r.CLASSE_SCONOSCIUTA % {"anno": "2026/27"})
    assert trovati[("alunni", 8, "data_nascita", "32/01/2019")] == str(DATA_NON_VALIDA)
    assert trovati[("tutori", 5, "codice_fiscale_alunno", "")] == str(r.TUTORE_SENZA_ALUNNO)
    assert trovati[("tutori", 6, "codice_fiscale_alunno", cf_ignoto)] == str(r.TUTORE_SENZA_ALUNNO)
    assert trovati[("tutori", 6, "email", "non-una-email")] == str(r.EMAIL)
    assert trovati[("iscrizioni_mensa", 5, "codice_fiscale", cf_ignoto)] == str(r.ALUNNO_SCONOSCIUTO)
    assert trovati[("iscrizioni_mensa", 6, "tariffa", "Tariffa ridotta")] == str(r.TARIFFA_INESISTENTE)
    assert trovati[("classi", 5, "codice_meccanografico", "TAZZ99999X")] == str(r.SCUOLA_SCONOSCIUTA)
    assert trovati[("classi", 6, "anno_scolastico", "2030/31")] == str(r.ANNO_SCOLASTICO_SCONOSCIUTO)
    assert len(trovati) == 11, esito.problemi


def test_the_existing_imports_checks_come_back_with_their_sheet_and_row(pronto, workbook):
    righe = righe_buone()
    righe["iscrizioni_trasporto"].append([CF_GIULIA, "Linea Gandoli", "Fermata inesistente", "", "14/09/2026",
                                          None, "", "", ""])
    righe["saldi"].append([CF_LUCA, "piscina", "5"])
    esito = anagrafe_importa(comune=pronto, files=[("anagrafe.xlsx", cartella_di_lavoro(righe))])
    trovati = {(p.foglio, p.riga, p.colonna, p.valore) for p in esito.problemi}
    assert trovati == {("iscrizioni_trasporto", 3, "fermata", "Fermata inesistente"),
                       ("saldi", 5, "servizio", "piscina")}, esito.problemi


def test_a_missing_column_and_an_unreadable_file_are_problems(pronto):
    esito = anagrafe_importa(comune=pronto, files=[("alunni.csv", b"codice_fiscale;cognome\nX;Y\n")])
    assert {(p.foglio, p.colonna) for p in esito.problemi} >= {("alunni", "nome"), ("alunni", "data_nascita")}
    esito = anagrafe_importa(comune=pronto, files=[("anagrafe.xlsx", b"PK\x03\x04 not really a workbook")])
    assert [p.foglio for p in esito.problemi] == ["anagrafe.xlsx"]


def test_another_comunes_pupils_are_not_found(pronto, pulsano, charlie_child):
    righe = {"saldi": [[charlie_child.codice_fiscale, "mensa", "5"]]}
    esito = anagrafe_importa(comune=pronto, files=[("x.xlsx", cartella_di_lavoro(righe))], applica=True)
    assert [(p.foglio, p.messaggio) for p in esito.problemi] == [("saldi", str(r.ALUNNO_SCONOSCIUTO))]


def test_two_schools_with_one_name_and_garbage_are_problems_not_errors(pronto, client, bob):
    righe = {"scuole": [["TAEE00001A", "Plesso unico", "primaria", ""], ["TAEE00002B", "Plesso unico", "primaria", ""]]}
    esito = anagrafe_importa(comune=pronto, files=[("s.xlsx", cartella_di_lavoro(righe))], applica=True)
    assert [(p.foglio, p.riga, p.colonna) for p in esito.problemi] == [("scuole", 3, "nome")]
    client.force_login(bob)
    for nome, contenuto in (("alunni.csv", b"\x00\xff\xfe garbage;\n\x01;\x02"), ("x.zip", b"PK\x05\x06" + b"\0" * 18),
                            ("anagrafe.xlsx", b"")):
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = client.post("/admin/attivazione/importazioneanagrafe/importa/",
                               {"file": SimpleUploadedFile(nome, contenuto)})
        assert response.status_code == 200

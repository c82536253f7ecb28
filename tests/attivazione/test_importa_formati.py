"""What old systems export: CSV with ";" or ",", UTF-8 with or without BOM or Windows-1252, dates in three
forms, decimal commas, codici fiscali in lower case with spaces; and the command that scripts the load."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scope

from attivazione.anagrafe import lettura
from attivazione.anagrafe.importa import anagrafe_importa
from consumatori.models import Consumatore, Tutore
from pagamenti.models import Movimento

from .conftest import CF_GIULIA, CF_PAOLO

SCUOLE = "codice_meccanografico{s}nome{s}tipo\nTAEE83201X{s}Scuola primaria «Niccolò Tommaseo»{s}primaria\n"
CLASSI = "codice_meccanografico{s}anno_scolastico{s}anno{s}sezione\nTAEE83201X{s}2026/27{s}3{s}B\n"


def _alunni(s: str, data: str) -> str:
    cf = " ".join([CF_GIULIA[:6].lower(), CF_GIULIA[6:]])  # "crmgli 18C44…": lower case, a space
    return ("cognome{s}nome{s}codice_fiscale{s}data_nascita{s}codice_meccanografico{s}anno{s}sezione{s}note\n"
            f"Caramìa{{s}}Giulia{{s}}{cf}{{s}}{data}{{s}}TAEE83201X{{s}}3{{s}}B{{s}}colonna in più\n").format(s=s)


@pytest.mark.parametrize(("separatore", "codifica", "data"), [
    (";", "utf-8-sig", "04/03/2018"),
    (",", "utf-8", "2018-03-04"),
    (";", "cp1252", "04/03/2018"),
])
def test_csv_files_in_each_encoding_and_separator(pronto, separatore, codifica, data):
    files = [(nome, testo.format(s=separatore).encode(codifica)) for nome, testo in (
        ("scuole.csv", SCUOLE), ("classi.csv", CLASSI), ("alunni.csv", _alunni(separatore, data)))]
    files.append(("saldi.csv", f"codice_fiscale;servizio;saldo\n{CF_GIULIA.lower()};mensa;-1.234,50\n"
                  .replace(";", separatore if separatore == ";" else ";").encode(codifica)))
    esito = anagrafe_importa(comune=pronto, files=files, applica=True)
    assert esito.ok, esito.problemi
    with scope(comune=pronto):
        giulia = Consumatore.objects.get(codice_fiscale=CF_GIULIA)
        assert (giulia.cognome, giulia.data_nascita) == ("Caramìa", datetime.date(2018, 3, 4))
        assert giulia.classe.scuola.nome == "Scuola primaria «Niccolò Tommaseo»"
        assert Movimento.objects.get(consumatore=giulia).importo == Decimal("-1234.50")


def test_cell_readers():
    assert lettura.data(45000) == datetime.date(2023, 3, 15)  # an Excel serial number
    assert lettura.data(datetime.datetime(2026, 1, 15, 0, 0)) == datetime.date(2026, 1, 15)
    assert lettura.data("15/01/2026 00:00:00") == datetime.date(2026, 1, 15)
    for sbagliata in ("31/02/2026", "2026/01/15", "01/01/1800", "ieri"):
        with pytest.raises(ValueError):
            lettura.data(sbagliata)
    assert lettura.decimale("1.234,50") == Decimal("1234.50")
    assert lettura.decimale("25 €") == Decimal("25")
    assert lettura.decimale(12.5) == Decimal("12.5")
    assert lettura.codice_fiscale(" rss mra80a01 l049l ") == "RSSMRA80A01L049L"


def test_the_command_dry_run_then_apply_from_a_folder(pronto, tmp_path, capsys):
    (tmp_path / "scuole.csv").write_text(SCUOLE.format(s=";"), encoding="utf-8")
    (tmp_path / "classi.csv").write_text(CLASSI.format(s=";"), encoding="utf-8")
    (tmp_path / "alunni.csv").write_text(_alunni(";", "04/03/2018"), encoding="utf-8")
    (tmp_path / "tutori.csv").write_text(
        "codice_fiscale_alunno;codice_fiscale;cognome;nome\n"
        f"{CF_GIULIA};{CF_PAOLO};Caramia;Paolo\nNESSUNO;;Senza;Figlio\n", encoding="cp1252")
    with pytest.raises(CommandError):
        call_command("importa_anagrafe", "leporano", str(tmp_path), "--applica")
    err = capsys.readouterr().err
    assert "tutori, riga 3, colonna codice_fiscale_alunno «NESSUNO»: Tutore senza alunno" in err
    with scope(comune=pronto):
        assert not Consumatore.objects.exists()

    (tmp_path / "tutori.csv").write_text(
        f"codice_fiscale_alunno;codice_fiscale;cognome;nome\n{CF_GIULIA};{CF_PAOLO};Caramia;Paolo\n")
    call_command("importa_anagrafe", "leporano", str(tmp_path))
    assert "Prova senza errori" in capsys.readouterr().out
    call_command("importa_anagrafe", "leporano", str(tmp_path), "--applica")
    assert "alunni: 1 nuovi, 0 aggiornati, 0 invariati" in capsys.readouterr().out
    with scope(comune=pronto):
        assert Tutore.objects.get().codice_fiscale == CF_PAOLO

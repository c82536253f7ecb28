"""The demo's third comune: Faggiano half-way through its activation, and its old system's workbook whose
dry run shows exactly the deliberate errors; once they are corrected, the import goes through."""

from __future__ import annotations

from django.test import Client
from django_scopes import scope, scopes_disabled

from attivazione.anagrafe import righe as r
from attivazione.anagrafe.importa import anagrafe_importa
from attivazione.anagrafe.modello import cartella_di_lavoro
from comuni.models import Comune, User
from consumatori.models import Consumatore
from demo.attivazione import WORKBOOK, demo_attivazione_seed, righe_workbook
from tests.factories import totp_activate


def test_faggiano_is_half_way_and_its_workbook_shows_the_deliberate_errors(db):
    with scopes_disabled():
        demo_attivazione_seed()
    faggiano = Comune.objects.get(slug="faggiano")
    # Its (empty) canteen had last night's debit like every active comune: the watchdog reports nothing missed.
    from django.utils import timezone

    from esercizio.alerts import lavori_mancati

    assert lavori_mancati(now=timezone.now(), comune=faggiano) == []
    esito = anagrafe_importa(comune=faggiano, files=[(WORKBOOK.name, WORKBOOK.read_bytes())], applica=True)
    messaggi = sorted({(p.foglio, p.colonna) for p in esito.problemi})
    assert messaggi == [("alunni", "codice_fiscale"), ("alunni", "sezione"), ("iscrizioni_mensa", "tariffa"),
                        ("tutori", "codice_fiscale_alunno")], esito.problemi
    assert any(p.messaggio == str(r.TARIFFA_INESISTENTE) for p in esito.problemi)
    with scope(comune=faggiano):
        assert not Consumatore.objects.exists()

    ufficio = User.objects.get(email="ufficio.scuola@faggiano.example")
    totp_activate(ufficio)
    client = Client()
    client.force_login(ufficio)
    page = client.get("/faggiano/ufficio/attivazione/")
    voci = {v.chiave: v.fatto for v in page.context["voci"]}
    assert voci["privacy"] and voci["puntolis"] and not voci["anagrafe"] and not voci["lettere"]

    righe = righe_workbook()  # corrected: the office fixes the four rows
    righe["alunni"][3][0] = _corretto(righe["alunni"][3][0])
    for foglio in ("tutori", "iscrizioni_mensa", "saldi"):
        for riga in righe[foglio]:
            if riga[0] and riga[0][:15] == righe["alunni"][3][0][:15]:
                riga[0] = righe["alunni"][3][0]
    righe["alunni"][7][6] = "A"
    righe["tutori"].pop()
    righe["iscrizioni_mensa"][10][3] = "Tariffa intera"
    esito = anagrafe_importa(comune=faggiano, files=[("corretto.xlsx", cartella_di_lavoro(righe))], applica=True)
    assert esito.ok, esito.problemi
    assert esito.conteggi["alunni"]["creati"] == 24


def _corretto(cf: str) -> str:
    from stdnum.it import codicefiscale

    return cf[:15] + codicefiscale.calc_check_digit(cf[:15])

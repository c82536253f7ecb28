"""The template workbook staff download (example rows on every sheet) and the column guide of the help page."""

from __future__ import annotations

import datetime
import io

from django.utils.translation import gettext_lazy as _

# (sheet, [(column, required, what it holds)]) – the admin's help page shows this, the template follows it.
GUIDA = [
    ("scuole", [
        ("codice_meccanografico", True, _("Il codice del Ministero, per esempio TAEE83201X: identifica la scuola.")),
        ("nome", True, _("Il nome della scuola o del plesso, per esempio «Scuola primaria Giovanni XXIII».")),
        ("tipo", True, _("infanzia, primaria o secondaria (di primo grado).")),
        ("indirizzo", False, _("Via e numero civico.")),
    ]),
    ("classi", [
        ("codice_meccanografico", True, _("La scuola della classe: una del foglio «scuole» o già nel portale.")),
        ("anno_scolastico", True, _("Nella forma 2026/27; l'anno scolastico deve esistere già, con le sue date.")),
        ("anno", False, _("1–5; vuoto per le sezioni dell'infanzia.")),
        ("sezione", True, _("La lettera della sezione, per esempio B.")),
    ]),
    ("alunni", [
        ("codice_fiscale", True, _("Il codice fiscale dell'alunno: identifica l'alunno; minuscole e spazi vanno "
                                   "bene, il carattere di controllo è verificato.")),
        ("cognome", True, _("Cognome.")),
        ("nome", True, _("Nome.")),
        ("data_nascita", True, _("GG/MM/AAAA, AAAA-MM-GG o una cella data di Excel.")),
        ("codice_meccanografico", True, _("La scuola frequentata.")),
        ("anno", False, _("La classe (1–5), vuoto all'infanzia.")),
        ("sezione", True, _("La sezione: con scuola e anno indica una classe dell'anno scolastico del foglio "
                            "«classi» (o dell'anno in corso).")),
        ("codice_pagamento", False, _("Il codice del sistema precedente (PuntoLIS): mantenuto se non è già usato, "
                                      "altrimenti ne viene creato uno nuovo.")),
    ]),
    ("tutori", [
        ("codice_fiscale_alunno", True, _("Il codice fiscale dell'alunno di cui è genitore o tutore.")),
        ("codice_fiscale", False, _("Il codice fiscale del tutore: con SPID o CIE vedrà subito i figli. Senza, "
                                    "la lettera alle famiglie porta un codice di collegamento.")),
        ("cognome", True, _("Cognome.")),
        ("nome", True, _("Nome.")),
        ("relazione", False, _("genitore (se vuoto), tutore o affidatario.")),
        ("email", False, _("Riceve la lettera alle famiglie e gli avvisi.")),
        ("telefono", False, _("Telefono.")),
    ]),
    ("iscrizioni_mensa", [
        ("codice_fiscale", True, _("Il codice fiscale dell'alunno.")),
        ("dal", True, _("Primo giorno di iscrizione.")),
        ("al", False, _("Ultimo giorno; vuoto = senza scadenza.")),
        ("tariffa", True, _("Il nome di una tariffa della mensa, oppure il valore ISEE (per esempio 8.500,00) che "
                            "sceglie la fascia. Il valore ISEE non viene conservato.")),
        ("dieta", False, _("Il nome di uno dei «Tipi di dieta» del comune.")),
    ]),
    ("iscrizioni_trasporto", [
        ("codice_fiscale", True, _("Il codice fiscale dell'alunno.")),
        ("linea", True, _("Il nome della linea, come nel portale.")),
        ("fermata", True, _("Il nome della fermata della linea.")),
        ("percorso", False, _("andata_ritorno (se vuoto), solo_andata o solo_ritorno.")),
        ("dal", True, _("Primo giorno.")),
        ("al", False, _("Ultimo giorno; vuoto = fine dell'anno scolastico della linea.")),
        ("fascia_isee", False, _("Il nome di una fascia ISEE del trasporto.")),
        ("esente", False, _("sì se esente.")),
        ("riduzione_fratelli", False, _("sì per la riduzione per fratelli.")),
    ]),
    ("saldi", [
        ("codice_fiscale", True, _("Il codice fiscale dell'alunno.")),
        ("servizio", True, _("mensa o trasporto.")),
        ("saldo", True, _("Il saldo alla data di attivazione: positivo = credito, negativo = debito (-12,50).")),
    ]),
]

ESEMPI = {
    "scuole": [["TAAA83200X", "Scuola dell'infanzia «Collodi»", "infanzia", "Via Roma 1"],
               ["TAEE83201X", "Scuola primaria «Giovanni XXIII»", "primaria", "Via Taranto 12"]],
    "classi": [["TAAA83200X", "2026/27", None, "A"], ["TAEE83201X", "2026/27", 3, "B"]],
    "alunni": [["RSSGLI18C44L049P", "Rossi", "Giulia", datetime.date(2018, 3, 4), "TAEE83201X", 3, "B", ""]],
    "tutori": [["RSSGLI18C44L049P", "RSSMRA80A01L049L", "Rossi", "Mario", "genitore", "mario.rossi@example.org",
                "333 1234567"]],
    "iscrizioni_mensa": [["RSSGLI18C44L049P", datetime.date(2026, 9, 14), None, "Tariffa intera", ""]],
    "iscrizioni_trasporto": [["RSSGLI18C44L049P", "Linea 1", "Piazza Municipio", "andata_ritorno",
                              datetime.date(2026, 9, 14), None, "", "", ""]],
    "saldi": [["RSSGLI18C44L049P", "mensa", -12.5]],
}


def cartella_di_lavoro(fogli: dict[str, list[list]], colonne: dict[str, list[str]] | None = None) -> bytes:
    """An XLSX with one sheet per kind: the columns of GUIDA (or those given) and the rows given."""
    import openpyxl

    intestazioni = colonne or {foglio: [c for c, _r, _d in voci] for foglio, voci in GUIDA}
    workbook = openpyxl.Workbook(write_only=True)
    for foglio, righe in fogli.items():
        sheet = workbook.create_sheet(foglio)
        sheet.append(intestazioni[foglio])
        for riga in righe:
            sheet.append(riga)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def modello_xlsx() -> bytes:
    return cartella_di_lavoro(ESEMPI)

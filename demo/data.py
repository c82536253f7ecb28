"""Real-looking demo data for two neighbouring comuni of the province of Taranto.

The fiscal codes of the comuni carry a valid check digit but are not the real ones; every person
is invented, with a codice fiscale computed from name, birth date and birthplace.
"""

from __future__ import annotations

import datetime

ANNO_SCOLASTICO = ("2026/27", datetime.date(2026, 9, 14), datetime.date(2027, 6, 9))

COMUNI = [
    {
        "slug": "leporano",
        "nome": "Leporano",
        "codice_fiscale": "80009290737",
        "provincia": "TA",
        "indirizzo": "Piazza Vittorio Emanuele III, 1",
        "cap": "74020",
        "telefono": "099 5315011",
        "email": "ufficioscuola@leporano.example",
        "pec": "protocollo.leporano@pec.example",
        "sito_web": "https://www.comune.leporano.ta.it",
        "email_ristorazione": "cucina.leporano@ristorazione.example",
        "data_attivazione_mensa": datetime.date(2026, 1, 15),
        "data_attivazione_trasporto": datetime.date(2026, 4, 1),
        "scuole": [
            ("Scuola dell'infanzia «Gianni Rodari»", "infanzia", "TAAA83901X", "Via Aldo Moro, 12"),
            ("Scuola primaria «Giovanni XXIII»", "primaria", "TAEE83902P", "Via Pitagora, 3"),
            ("Scuola secondaria di I grado «Pitagora»", "secondaria", "TAMM83901V", "Via Taranto, 40"),
        ],
        "luogo_nascita": "Taranto",
    },
    {
        "slug": "pulsano",
        "nome": "Pulsano",
        "codice_fiscale": "80009310733",
        "provincia": "TA",
        "indirizzo": "Piazza Castello, 1",
        "cap": "74026",
        "telefono": "099 5312211",
        "email": "servizi.scolastici@pulsano.example",
        "pec": "protocollo.pulsano@pec.example",
        "sito_web": "https://www.comune.pulsano.ta.it",
        "email_ristorazione": "cucina.pulsano@ristorazione.example",
        "data_attivazione_mensa": datetime.date(2026, 9, 14),
        "data_attivazione_trasporto": datetime.date(2026, 9, 14),
        "scuole": [
            ("Scuola dell'infanzia «Maria Montessori»", "infanzia", "TAAA85001B", "Via Lecce, 7"),
            ("Scuola primaria «Edmondo De Amicis»", "primaria", "TAEE85002C", "Via Marina, 21"),
            ("Scuola secondaria di I grado «Giovanni Pascoli»", "secondaria", "TAMM85001D", "Via Roma, 88"),
        ],
        "luogo_nascita": "Grottaglie",
    },
]

COGNOMI = [
    "Caramia", "Lacaita", "D'Amico", "Russo", "Esposito", "Greco", "Carrieri", "Mastrangelo", "Pignatelli",
    "Lippolis", "Semeraro", "Fanelli", "Palumbo", "Marinò", "Colucci", "Cito", "Basile", "Gigante", "Ricci",
    "Tagliente", "Leone", "Cavallo", "Amati", "De Vincentis", "Galeandro", "Ferrara", "Stasi", "Caforio",
    "Annicchiarico", "Lenti", "Santoro", "Quaranta", "Vinci", "Montemurro", "Calò", "Marzo", "Bianco",
    "De Bellis", "Laterza", "Chiarelli", "Guarino", "Mele", "Sasso", "Zito",
]
NOMI_M = [
    "Francesco", "Leonardo", "Alessandro", "Lorenzo", "Mattia", "Tommaso", "Gabriele", "Andrea", "Riccardo",
    "Edoardo", "Antonio", "Giuseppe", "Cosimo", "Vito", "Pietro", "Michele", "Domenico", "Nicola", "Emanuele",
]
NOMI_F = [
    "Sofia", "Aurora", "Giulia", "Ginevra", "Vittoria", "Beatrice", "Alice", "Emma", "Ludovica", "Martina",
    "Chiara", "Anna", "Francesca", "Noemi", "Rebecca", "Gaia", "Maria", "Angela", "Miriam",
]
NOMI_GENITORI_M = ["Giovanni", "Marco", "Luca", "Angelo", "Vincenzo", "Salvatore", "Fabio", "Roberto", "Cataldo"]
NOMI_GENITORI_F = ["Maria", "Anna", "Rosa", "Francesca", "Lucia", "Teresa", "Valentina", "Simona", "Carmela"]

DIETE = [
    "Celiachia: dieta senza glutine",
    "Allergia alle proteine del latte vaccino",
    "Allergia alla frutta a guscio (noci, nocciole, mandorle)",
    "Dieta senza carne di maiale (motivi religiosi)",
    "Dieta vegetariana",
    "Favismo: escludere fave e piselli",
]

# Demo accounts printed by seed_demo and make run.
DEMO_PASSWORD_FAMIGLIA = "Famiglia-2026"
DEMO_PASSWORD_STAFF = "Ufficio-2026"
DEMO_PASSWORD_OPERATORE = "Mensa-2026"
DEMO_PASSWORD_ADMIN = "Admin-Omnibus-2026"

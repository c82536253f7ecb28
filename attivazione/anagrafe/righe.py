"""The checks of single cells and the problems' messages, written once (the tests import them)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from stdnum.it import codicefiscale as stdnum_cf

from comuni.validators import CF_CHECK_ERROR, CF_FORMAT_ERROR

from .lettura import codice_fiscale, data, decimale, testo  # noqa: F401 - the cell readers, re-exported

OBBLIGATORIO = _("Valore obbligatorio mancante.")
TROPPO_LUNGO = _("Testo troppo lungo: al massimo %(n)s caratteri.")
DUPLICATO_DIVERSO = _("Compare già alla riga %(riga)s con dati diversi.")
SCUOLA_SCONOSCIUTA = _("Scuola sconosciuta: non è nel foglio «scuole» né tra le scuole del comune.")
TIPO_SCUOLA = _("Tipo non valido: infanzia, primaria o secondaria.")
CODICE_MECCANOGRAFICO = _("Codice meccanografico non valido: fino a 10 lettere e cifre, per esempio TAEE83201X.")
ANNO_SCOLASTICO_SCONOSCIUTO = _(
    "Anno scolastico sconosciuto: crearlo prima in «Anni scolastici» (con le date) e poi importare.")
NESSUN_ANNO = _("Il comune non ha ancora un anno scolastico: crearlo in «Anni scolastici» prima di importare.")
ANNO_CLASSE = _("Classe non valida: un numero da 1 a 5, vuoto per le sezioni dell'infanzia.")
CLASSE_SCONOSCIUTA = _("Classe sconosciuta: non è nel foglio «classi» né tra le classi del comune per l'anno %(anno)s.")
ALUNNO_SCONOSCIUTO = _("Nessun alunno con questo codice fiscale nel file o nel comune.")
TUTORE_SENZA_ALUNNO = _("Tutore senza alunno: nessun alunno con questo codice fiscale nel file o nel comune.")
RELAZIONE = _("Relazione non valida: genitore, tutore o affidatario.")
EMAIL = _("Indirizzo e-mail non valido.")
DATE_INVERTITE = _("La data «al» precede la data «dal».")
TARIFFA_INESISTENTE = _("Tariffa inesistente: indicare il nome di una tariffa della mensa o un valore ISEE.")
ISEE_SENZA_FASCIA = _("Nessuna tariffa della mensa ha una fascia ISEE che comprende questo valore.")
DIETA_INESISTENTE = _("Dieta inesistente: indicare il nome di uno dei «Tipi di dieta» del comune.")
ISCRIZIONE_SOVRAPPOSTA = _("Si sovrappone a un'altra iscrizione alla mensa dello stesso alunno.")

_CF_SHAPE = re.compile(r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$")


@dataclass(frozen=True)
class Problema:
    foglio: str
    riga: int
    colonna: str
    valore: str
    messaggio: str

    def __str__(self) -> str:
        dove = f"{self.foglio}, riga {self.riga}" if self.riga else self.foglio
        if self.colonna:
            dove += f", colonna {self.colonna}"
        valore = f" «{self.valore}»" if self.valore else ""
        return f"{dove}{valore}: {self.messaggio}"


def codice_fiscale_errore(code: str) -> str | None:
    """The message for a personal codice fiscale of the wrong shape or check character, or None.

    The check character is computed by python-stdnum (microseconds); python-codicefiscale's full decode,
    which the admin forms use, costs 2 ms a code: a minute for a comune's 26,000 codes."""
    if not _CF_SHAPE.match(code):
        return str(CF_FORMAT_ERROR % {"value": code})
    if not stdnum_cf.is_valid(code):
        return str(CF_CHECK_ERROR % {"value": code})
    return None


def email_errore(value: str) -> str | None:
    if not value:
        return None
    try:
        validate_email(value)
    except ValidationError:
        return str(EMAIL)
    return None


def lunghezza_errore(value: str, n: int) -> str | None:
    return str(TROPPO_LUNGO % {"n": n}) if len(value) > n else None

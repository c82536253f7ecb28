"""The registry import: schools, classes, pupils, guardians, canteen enrolments, bus enrolments, balances.

One pass does everything inside one transaction, set-based (a fixed number of queries per sheet, bulk
inserts and updates of only the rows that differ), collecting every problem with its sheet, row, column and
value. The dry run, or any problem, rolls the whole transaction back: nothing is written. The bus enrolments
and the opening balances go through their own imports (trasporto.importazione, pagamenti.saldi_iniziali),
called inside the same transaction once the pupils of the file exist, so their checks are the ones staff
already know. Rows are matched by codice fiscale (schools by codice meccanografico): a second run of the
same workbook changes nothing, a corrected one updates, nothing is ever deleted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import DataError, IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from django_scopes import scope

from comuni.models import Comune, User
from consumatori.models import AnnoScolastico, Classe, Consumatore, Scuola, TipoScuola
from omnibus import stamps

from . import righe
from .lettura import Foglio, leggi
from .righe import Problema

COLONNE = {
    "scuole": ("codice_meccanografico", "nome", "tipo"),
    "classi": ("codice_meccanografico", "anno_scolastico", "sezione"),
    "alunni": ("codice_fiscale", "cognome", "nome", "data_nascita", "codice_meccanografico", "sezione"),
    "tutori": ("codice_fiscale_alunno", "cognome", "nome"),
    "iscrizioni_mensa": ("codice_fiscale", "dal", "tariffa"),
    "iscrizioni_trasporto": ("codice_fiscale", "linea", "fermata", "dal"),
    "saldi": ("codice_fiscale", "servizio", "saldo"),
}
COLONNA_MANCANTE = _("Colonna obbligatoria mancante.")
DATABASE_RIFIUTA = _("Il database rifiuta questi dati (%(errore)s): nulla è stato importato.")
NIENTE_DA_IMPORTARE = _("Nessun foglio da importare: servono fogli o file chiamati scuole, classi, alunni, …")


@dataclass
class Esito:
    """What the dry run (or the apply) found: the problems, and per sheet the rows created/updated/unchanged."""

    problemi: list[Problema] = field(default_factory=list)
    conteggi: dict[str, dict[str, int]] = field(default_factory=dict)
    ignorati: list[str] = field(default_factory=list)
    applicato: bool = False

    @property
    def ok(self) -> bool:
        return not self.problemi

    def conta(self, foglio: str, voce: str, n: int = 1) -> None:
        self.conteggi.setdefault(foglio, {"creati": 0, "aggiornati": 0, "invariati": 0})[voce] += n

    def problema(self, foglio: str, riga: int, colonna: str, valore: object, messaggio: str) -> None:
        self.problemi.append(Problema(foglio, riga, colonna, righe.testo(valore), str(messaggio)))

    def riepilogo(self) -> list[tuple[str, int, int, int]]:
        return [(f, c["creati"], c["aggiornati"], c["invariati"]) for f, c in self.conteggi.items()]


class _Annulla(Exception):
    pass


@dataclass
class Contesto:
    """What one sheet leaves to the next: schools, classes, pupils by codice fiscale."""

    comune: Comune
    esito: Esito
    creato_da: User | None = None
    scuole: dict[str, Scuola] = field(default_factory=dict)
    classi: dict[tuple, Classe] = field(default_factory=dict)
    anno: AnnoScolastico | None = None
    consumatori: dict[str, Consumatore] = field(default_factory=dict)
    # pupils of the file whose own row has a problem: rows that refer to them are not reported again
    consumatori_scartati: set[str] = field(default_factory=set)
    consumatori_toccati: set[int] = field(default_factory=set)


def anagrafe_importa(*, comune: Comune, files: list[tuple[str, bytes]], applica: bool = False,
                     creato_da: User | None = None) -> Esito:
    """Read the files and import them; without `applica` (the dry run) or with any problem nothing is kept."""
    lettura = leggi(files)
    esito = Esito(ignorati=[f"{nome}: {messaggio}" for nome, messaggio in lettura.ignorati])
    for nome, messaggio in lettura.errori:
        esito.problema(nome, 0, "", "", messaggio)
    if not lettura.fogli and not lettura.errori:
        esito.problema("", 0, "", "", NIENTE_DA_IMPORTARE)
    if esito.problemi:
        return esito
    with scope(comune=comune):
        try:
            with transaction.atomic():
                # One import per comune at a time: the second waits, then finds the first's rows.
                Comune.objects.select_for_update().filter(pk=comune.pk).first()
                contesto = Contesto(comune=comune, esito=esito, creato_da=creato_da)
                from . import fogli_anagrafe, fogli_servizi

                passi = [("scuole", fogli_anagrafe.scuole), ("classi", fogli_anagrafe.classi),
                         ("alunni", fogli_anagrafe.alunni), ("tutori", fogli_anagrafe.tutori),
                         ("iscrizioni_mensa", fogli_servizi.iscrizioni_mensa),
                         ("iscrizioni_trasporto", fogli_servizi.iscrizioni_trasporto),
                         ("saldi", fogli_servizi.saldi)]
                contesto.anno = anno_corrente(comune)  # the «classi» sheet's latest year, when it names one
                fogli_anagrafe.carica_esistenti(contesto)
                for nome, passo in passi:
                    foglio = lettura.fogli.get(nome)
                    if foglio is None:
                        continue
                    if _colonne_presenti(esito, foglio):
                        passo(contesto, foglio)
                if not applica or esito.problemi:
                    raise _Annulla
                esito.applicato = True
                stamps.comune_changed(comune.pk)
                stamps.consumatori_changed(contesto.consumatori_toccati)
        except _Annulla:
            pass
        except (IntegrityError, DataError) as error:
            # A rule of the database no check above foresaw: named, never a 500, nothing written.
            esito.problema("", 0, "", "", DATABASE_RIFIUTA % {"errore": str(error).splitlines()[0][:200]})
            esito.applicato = False
    return esito


def _colonne_presenti(esito: Esito, foglio: Foglio) -> bool:
    mancanti = [c for c in COLONNE[foglio.nome] if c not in foglio.colonne]
    for colonna in mancanti:
        esito.problema(foglio.nome, 1, colonna, "", COLONNA_MANCANTE)
    return not mancanti


def anno_corrente(comune: Comune) -> AnnoScolastico | None:
    """The school year of today, else the latest that started, else the first to come."""
    oggi = datetime.date.today()
    anni = list(AnnoScolastico.objects.filter(comune=comune).order_by("-data_inizio"))
    for anno in anni:
        if anno.data_inizio <= oggi <= anno.data_fine:
            return anno
    iniziati = [a for a in anni if a.data_inizio <= oggi]
    return iniziati[0] if iniziati else (anni[-1] if anni else None)


TIPI_SCUOLA = {t.value: t.value for t in TipoScuola} | {
    "scuola dell'infanzia": TipoScuola.INFANZIA, "materna": TipoScuola.INFANZIA,
    "scuola primaria": TipoScuola.PRIMARIA, "elementare": TipoScuola.PRIMARIA,
    "secondaria di primo grado": TipoScuola.SECONDARIA, "media": TipoScuola.SECONDARIA,
}

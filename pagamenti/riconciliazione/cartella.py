"""Flows dropped in a folder by the comune's pagoPA intermediary (SFTP, nodoChiediFlussoRendicontazione...).

One folder per installation (`FDR_IMPORT_DIR`); each file says which ente it is for
(istitutoRicevente), so flows of every comune may share it. After the import a file moves to
`importati/`, or to `scartati/` with a `.errori.txt` beside it listing what is wrong.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django_scopes import scope

from comuni.models import Comune

from .flusso import FlussoNonValido
from .models import OrigineFlusso
from .services import EsitoImport, flusso_import, impronta_of
from .xml import flusso_from_xml

logger = logging.getLogger(__name__)

ENTE_SCONOSCIUTO = "Nessun comune attivo ha il codice fiscale %(cf)s (istitutoRicevente)."
COMUNE_DIVERSO = "Il flusso è per l'ente %(cf)s, non per il comune indicato (%(comune)s)."
FILE_TROPPO_GRANDE = "Il file supera %(mb)s MB."


@dataclass
class RisultatoFile:
    percorso: Path
    comune: Comune | None
    esito: EsitoImport

    @property
    def riga(self) -> str:
        if self.esito.errori:
            return f"{self.percorso.name}: RIFIUTATO – " + " | ".join(self.esito.errori)
        flusso = self.esito.flusso
        stato = "importato" if self.esito.creato else "già importato"
        testo = f"{self.percorso.name}: {stato} {flusso.identificativo} ({self.comune.slug}), " \
                f"{flusso.numero_calcolato} pagamenti, {flusso.anomalie} anomalie"
        return " | ".join([testo, *self.esito.avvisi])


def file_import(*, percorso: Path, origine: str = OrigineFlusso.CARTELLA, comune: Comune | None = None
                ) -> RisultatoFile:
    """Import one XML file for the comune its istitutoRicevente names (or the one given, which must match)."""
    massimo = getattr(settings, "FDR_MAX_BYTES", 20 * 1024 * 1024)
    if percorso.stat().st_size > massimo:
        return RisultatoFile(percorso, comune, EsitoImport(errori=[FILE_TROPPO_GRANDE % {"mb": massimo // 2**20}]))
    contenuto = percorso.read_bytes()
    try:
        flusso = flusso_from_xml(contenuto)
    except FlussoNonValido as error:
        return RisultatoFile(percorso, comune, EsitoImport(errori=error.errori))
    destinatario = Comune.objects.filter(codice_fiscale=flusso.ente_ricevente, attivo=True).first()
    if comune is not None and destinatario != comune:
        return RisultatoFile(percorso, comune, EsitoImport(errori=[
            COMUNE_DIVERSO % {"cf": flusso.ente_ricevente, "comune": comune}]))
    if destinatario is None:
        return RisultatoFile(percorso, None, EsitoImport(errori=[ENTE_SCONOSCIUTO % {"cf": flusso.ente_ricevente}]))
    with scope(comune=destinatario):
        esito = flusso_import(comune=destinatario, flusso=flusso, origine=origine, impronta=impronta_of(contenuto),
                              nome_file=percorso.name)
    return RisultatoFile(percorso, destinatario, esito)


def percorsi_xml(percorso: Path) -> list[Path]:
    if percorso.is_dir():
        return sorted(p for p in percorso.iterdir() if p.is_file() and p.suffix.lower() == ".xml")
    return [percorso]


def cartella_import(*, cartella: Path) -> list[RisultatoFile]:
    """Import every XML file of the folder and move it out of the way, so each runs once."""
    risultati = []
    for percorso in percorsi_xml(cartella):
        risultato = file_import(percorso=percorso)
        destinazione = cartella / ("scartati" if risultato.esito.errori else "importati")
        destinazione.mkdir(exist_ok=True)
        if risultato.esito.errori:
            (destinazione / f"{percorso.name}.errori.txt").write_text("\n".join(risultato.esito.errori) + "\n",
                                                                       encoding="utf-8")
        percorso.replace(destinazione / percorso.name)
        logger.info("fdr %s", risultato.riga)
        risultati.append(risultato)
    return risultati

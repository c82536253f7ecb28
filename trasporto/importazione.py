"""Import of bus enrolments from a CSV file, with a dry-run preview: all rows or none."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from comuni.models import Comune
from consumatori.models import Consumatore

from .models import FasciaIsee, Fermata, Linea, Percorso
from .services import iscrizione_create

COLONNE = ["codice_fiscale", "linea", "fermata", "percorso", "dal", "al", "fascia_isee", "esente", "riduzione_fratelli"]
COLONNE_ERROR = "Intestazione del file non valida: servono le colonne {colonne}."
RIGA_CONSUMATORE_ERROR = "codice_fiscale: nessun consumatore del comune con codice fiscale «{valore}»."
RIGA_LINEA_ERROR = "linea: nessuna linea «{valore}» nel comune."
RIGA_FERMATA_ERROR = "fermata: la linea «{linea}» non ha la fermata «{valore}»."
RIGA_PERCORSO_ERROR = "percorso: «{valore}» non valido (andata_ritorno, solo_andata, solo_ritorno)."
RIGA_DATA_ERROR = "{colonna}: data «{valore}» non valida (GG/MM/AAAA)."
RIGA_FASCIA_ERROR = "fascia_isee: nessuna fascia «{valore}» nel comune."
TRUE_VALUES = {"1", "si", "sì", "s", "true", "x", "yes"}


@dataclass
class EsitoImport:
    righe: int = 0
    create: int = 0
    errori: list[str] = field(default_factory=list)
    anteprima: list[str] = field(default_factory=list)
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.errori


class _Rollback(Exception):
    pass


def _date(value: str, colonna: str) -> datetime.date | None:
    value = value.strip()
    if not value and colonna == "al":
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(RIGA_DATA_ERROR.format(colonna=colonna, valore=value))


def iscrizioni_import(*, comune: Comune, file: io.TextIOBase | str, dry_run: bool = True) -> EsitoImport:
    """Validate every row and enrol them in one transaction; with dry_run (or any error) nothing is saved."""
    text = file if isinstance(file, str) else file.read()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";" if ";" in text.split("\n", 1)[0] else ",")
    esito = EsitoImport(dry_run=dry_run)
    required = set(COLONNE) - {"fascia_isee", "esente", "riduzione_fratelli", "al"}
    if not reader.fieldnames or not required <= {c.strip() for c in reader.fieldnames}:
        esito.errori.append(COLONNE_ERROR.format(colonne=", ".join(COLONNE)))
        return esito
    consumatori = {c.codice_fiscale: c for c in Consumatore.objects.filter(comune=comune)}
    linee = {
        linea.nome.casefold(): linea
        for linea in Linea.objects.filter(comune=comune).select_related("anno_scolastico")
    }
    fermate = {(f.linea_id, f.nome.casefold()): f for f in Fermata.objects.filter(comune=comune)}
    fasce = {f.nome.casefold(): f for f in FasciaIsee.objects.filter(comune=comune)}
    try:
        with transaction.atomic():
            for n, raw in enumerate(reader, start=2):
                row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
                esito.righe += 1
                prefix = _("Riga %(n)s") % {"n": n}
                try:
                    consumatore = consumatori.get(row["codice_fiscale"].upper())
                    if consumatore is None:
                        raise ValueError(RIGA_CONSUMATORE_ERROR.format(valore=row["codice_fiscale"]))
                    linea = linee.get(row["linea"].casefold())
                    if linea is None:
                        raise ValueError(RIGA_LINEA_ERROR.format(valore=row["linea"]))
                    fermata = fermate.get((linea.pk, row["fermata"].casefold()))
                    if fermata is None:
                        raise ValueError(RIGA_FERMATA_ERROR.format(linea=linea.nome, valore=row["fermata"]))
                    percorso = row.get("percorso") or Percorso.ANDATA_RITORNO
                    if percorso not in Percorso.values:
                        raise ValueError(RIGA_PERCORSO_ERROR.format(valore=percorso))
                    fascia = None
                    if row.get("fascia_isee"):
                        fascia = fasce.get(row["fascia_isee"].casefold())
                        if fascia is None:
                            raise ValueError(RIGA_FASCIA_ERROR.format(valore=row["fascia_isee"]))
                    iscrizione = iscrizione_create(
                        consumatore=consumatore, linea=linea, fermata=fermata, percorso=percorso,
                        data_inizio=_date(row["dal"], "dal"), data_fine=_date(row.get("al", ""), "al"),
                        fascia=fascia, esente=row.get("esente", "").casefold() in TRUE_VALUES,
                        riduzione_fratelli=row.get("riduzione_fratelli", "").casefold() in TRUE_VALUES,
                    )
                except ValueError as exc:
                    esito.errori.append(f"{prefix}: {exc}")
                    continue
                except ValidationError as exc:
                    messages = "; ".join(
                        f"{campo}: {' '.join(errs)}" if campo != "__all__" else " ".join(errs)
                        for campo, errs in exc.message_dict.items()
                    ) if hasattr(exc, "error_dict") else " ".join(exc.messages)
                    esito.errori.append(f"{prefix}: {messages}")
                    continue
                esito.create += 1
                esito.anteprima.append(
                    f"{consumatore} – {linea.nome}, {fermata.nome} ({iscrizione.get_percorso_display()}, "
                    f"{iscrizione.data_inizio:%d/%m/%Y}–{iscrizione.data_fine:%d/%m/%Y})"
                )
            if dry_run or esito.errori:
                raise _Rollback
    except _Rollback:
        if esito.errori:
            esito.create = 0
    return esito

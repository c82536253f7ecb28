"""Opening balances at the activation date, imported from the old system with tablib (CSV or XLSX).

Parse first (the dry run): every error is listed with its row and column and nothing is written.
Apply only a file without errors, in one transaction, as set-based inserts of opening-balance movements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuni.models import Comune, User
from comuni.validators import normalize_codice_fiscale, validate_codice_fiscale
from consumatori.models import Consumatore
from omnibus import stamps

from .models import Movimento, Servizio, TipoMovimento

COLONNE = ("codice_fiscale", "servizio", "saldo")
CHIAVE_SALDO_INIZIALE = "saldo_iniziale"

COLONNA_MANCANTE_ERROR = _("Colonna obbligatoria mancante.")
FILE_NON_LEGGIBILE_ERROR = _("File non leggibile: usare CSV (separatore virgola o punto e virgola) o XLSX.")
CONSUMATORE_SCONOSCIUTO_ERROR = _("Nessun consumatore del comune con questo codice fiscale.")
SERVIZIO_ERROR = _("Servizio non valido: indicare «mensa» o «trasporto».")
SALDO_ERROR = _("Saldo non valido: un importo in euro con al massimo due decimali, per esempio -12,50.")
RIGA_DUPLICATA_ERROR = _("Riga duplicata: stesso consumatore e servizio della riga %(riga)s.")
GIA_IMPORTATO_ERROR = _("Il saldo iniziale di questo consumatore per questo servizio è già stato importato.")
FILE_CON_ERRORI_ERROR = _("Il file contiene errori: nessun saldo è stato importato.")


@dataclass(frozen=True)
class ErroreImport:
    riga: int
    colonna: str
    messaggio: str


@dataclass
class AnteprimaImport:
    righe: list[tuple[int, Consumatore, str, Decimal]] = field(default_factory=list)
    errori: list[ErroreImport] = field(default_factory=list)
    saltate: int = 0

    @property
    def valida(self) -> bool:
        return not self.errori and bool(self.righe)


def _load(content: bytes, filename: str) -> tablib.Dataset:
    if filename.lower().endswith(".xlsx"):
        return tablib.Dataset().load(content, format="xlsx")
    text = content.decode("utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    return tablib.Dataset().load(text, format="csv", delimiter=delimiter)


def _decimal(value) -> Decimal:
    text = str(value if value is not None else "").strip().replace("€", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    amount = Decimal(text)
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")) or abs(amount) >= Decimal("1e9"):
        raise InvalidOperation
    return amount.quantize(Decimal("0.01"))


def saldi_iniziali_parse(*, comune: Comune, content: bytes, filename: str) -> AnteprimaImport:
    """The dry run: validate every row, in a fixed number of queries, writing nothing."""
    anteprima = AnteprimaImport()
    try:
        dataset = _load(content, filename)
    except Exception:  # noqa: BLE001 - tablib raises many kinds of errors for unreadable files
        anteprima.errori.append(ErroreImport(1, "file", str(FILE_NON_LEGGIBILE_ERROR)))
        return anteprima
    headers = [str(h or "").strip().lower() for h in (dataset.headers or [])]
    missing = [c for c in COLONNE if c not in headers]
    if missing:
        anteprima.errori.extend(ErroreImport(1, c, str(COLONNA_MANCANTE_ERROR)) for c in missing)
        return anteprima
    index = {c: headers.index(c) for c in COLONNE}
    rows = [(n + 2, row) for n, row in enumerate(dataset)]
    cfs = {normalize_codice_fiscale(str(row[index["codice_fiscale"]] or "")) for _, row in rows}
    consumatori = {c.codice_fiscale: c for c in Consumatore.objects.filter(comune=comune, codice_fiscale__in=cfs)}
    already = set(
        Movimento.objects.filter(comune=comune, chiave=CHIAVE_SALDO_INIZIALE).values_list("consumatore_id", "servizio")
    )
    seen: dict[tuple[str, str], int] = {}
    for riga, row in rows:
        if not any(str(v or "").strip() for v in row):
            continue
        errors_before = len(anteprima.errori)
        cf = normalize_codice_fiscale(str(row[index["codice_fiscale"]] or ""))
        consumatore = None
        # A code matching one of the comune's consumers was validated when the consumer was saved;
        # only the others go through the (slow) full check, to tell a typo from an unknown child.
        consumatore = consumatori.get(cf)
        if consumatore is None:
            try:
                validate_codice_fiscale(cf)
                anteprima.errori.append(ErroreImport(riga, "codice_fiscale", str(CONSUMATORE_SCONOSCIUTO_ERROR)))
            except ValidationError as error:
                anteprima.errori.append(ErroreImport(riga, "codice_fiscale", " ".join(error.messages)))
        servizio = str(row[index["servizio"]] or "").strip().lower()
        if servizio not in Servizio.values:
            anteprima.errori.append(ErroreImport(riga, "servizio", str(SERVIZIO_ERROR)))
        try:
            saldo = _decimal(row[index["saldo"]])
        except (InvalidOperation, ValueError):
            anteprima.errori.append(ErroreImport(riga, "saldo", str(SALDO_ERROR)))
            saldo = None
        if servizio in Servizio.values and cf:
            if (cf, servizio) in seen:
                anteprima.errori.append(ErroreImport(riga, "codice_fiscale",
                                                     str(RIGA_DUPLICATA_ERROR) % {"riga": seen[(cf, servizio)]}))
            else:
                seen[(cf, servizio)] = riga
            if consumatore is not None and (consumatore.pk, servizio) in already:
                anteprima.errori.append(ErroreImport(riga, "codice_fiscale", str(GIA_IMPORTATO_ERROR)))
        if len(anteprima.errori) == errors_before:
            if saldo == 0:
                anteprima.saltate += 1
            else:
                anteprima.righe.append((riga, consumatore, servizio, saldo))
    return anteprima


def saldi_iniziali_apply(*, comune: Comune, anteprima: AnteprimaImport, creato_da: User | None) -> int:
    """Write the opening balances of a valid preview in one transaction; all or nothing."""
    if anteprima.errori:
        raise ValidationError(FILE_CON_ERRORI_ERROR)
    today = timezone.localdate()
    dates = {Servizio.MENSA: comune.data_attivazione_mensa or today,
             Servizio.TRASPORTO: comune.data_attivazione_trasporto or today}
    movimenti = [
        Movimento(comune=comune, consumatore=consumatore, servizio=servizio, tipo=TipoMovimento.SALDO_INIZIALE,
                  importo=saldo, data_valuta=dates[servizio], chiave=CHIAVE_SALDO_INIZIALE,
                  riferimento=f"riga {riga}", descrizione="Saldo iniziale dal sistema precedente", creato_da=creato_da)
        for riga, consumatore, servizio, saldo in anteprima.righe
    ]
    with transaction.atomic():
        Movimento.objects.bulk_create(movimenti, batch_size=2000)
        stamps.comune_changed(comune.pk)  # bulk_create(): no model signal
    return len(movimenti)

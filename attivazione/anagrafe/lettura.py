"""Reading what old systems export: one XLSX workbook (a sheet per kind) or one CSV file per kind.

CSV separated by ";" or ","; UTF-8 with or without BOM, or Windows-1252; dates dd/mm/yyyy, yyyy-mm-dd or
Excel date cells (and Excel serial numbers); decimal commas; codici fiscali in lower case or with spaces.
Everything here is pure: no database.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.utils.translation import gettext_lazy as _

from omnibus.dates import DATA_MAX, DATA_MIN

FOGLI = ("scuole", "classi", "alunni", "tutori", "iscrizioni_mensa", "iscrizioni_trasporto", "saldi")
MAX_RIGHE = 200_000  # per sheet: far above any comune, far below what would exhaust a worker

FILE_NON_LEGGIBILE = _("File non leggibile: usare XLSX o CSV (separatore punto e virgola o virgola).")
FOGLIO_SCONOSCIUTO = _("Foglio o file ignorato: i nomi ammessi sono %(nomi)s.")
TROPPE_RIGHE = _("Troppe righe (al massimo %(n)s per foglio).")
DATA_NON_VALIDA = _("Data non valida: scrivere GG/MM/AAAA o AAAA-MM-GG, tra il 01/01/1900 e il 31/12/2199.")
NUMERO_NON_VALIDO = _("Numero non valido: per esempio 1234,50.")


@dataclass
class Foglio:
    """One sheet (or CSV file): its kind, the lower-cased headers and the rows as {column: value}."""

    nome: str
    righe: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    colonne: list[str] = field(default_factory=list)


@dataclass
class Lettura:
    fogli: dict[str, Foglio] = field(default_factory=dict)
    # (sheet or file, message) of what could not be read at all
    errori: list[tuple[str, str]] = field(default_factory=list)
    # (sheet or file, message) of what was left aside: a sheet of notes, a file of another kind
    ignorati: list[tuple[str, str]] = field(default_factory=list)


def testo(value: object) -> str:
    """A cell as trimmed text; Excel's floats that are whole numbers lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return str(value).replace("\u00a0", " ").strip()


def codice_fiscale(value: object) -> str:
    return testo(value).upper().replace(" ", "")


def data(value: object) -> datetime.date | None:
    """None for an empty cell; ValueError for anything not a date in the accepted forms and range."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        result = value.date()
    elif isinstance(value, datetime.date):
        result = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        # An Excel serial number (a date cell the exporter did not format): day 1 is 1900-01-01,
        # counted from 1899-12-30 because of Lotus's 29/02/1900.
        if not 1 <= value <= 200_000:
            raise ValueError(DATA_NON_VALIDA)
        result = datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))
    else:
        text = testo(value)
        if not text:
            return None
        text = text.split(" ")[0].split("T")[0]  # "15/01/2026 00:00:00" from some exporters
        for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                result = datetime.datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        else:
            raise ValueError(DATA_NON_VALIDA)
    if not DATA_MIN <= result <= DATA_MAX:
        raise ValueError(DATA_NON_VALIDA)
    return result


def decimale(value: object) -> Decimal | None:
    """None for an empty cell; "1.234,50", "1234,50", "1234.50", "25 €" and Excel numbers are read."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        amount = Decimal(str(value))
    else:
        text = testo(value).replace("€", "").replace(" ", "").replace("\u00a0", "")
        if not text:
            return None
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(NUMERO_NON_VALIDO) from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e9"):
        raise ValueError(NUMERO_NON_VALIDO)
    return amount


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _csv(nome: str, content: bytes) -> Foglio:
    text = _decode(content).replace("\x00", "")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _foglio(nome, reader)


def _foglio(nome: str, rows) -> Foglio:
    foglio = Foglio(nome=nome)
    header: list[str] | None = None
    for numero, row in enumerate(rows, start=1):
        if header is None:
            header = [testo(h).lower().replace(" ", "_") for h in row]
            foglio.colonne = header
            continue
        if not any(testo(v) for v in row):
            continue
        if len(foglio.righe) >= MAX_RIGHE:
            raise OverflowError(str(TROPPE_RIGHE % {"n": MAX_RIGHE}))
        foglio.righe.append((numero, {c: row[i] if i < len(row) else None for i, c in enumerate(header) if c}))
    return foglio


def _xlsx(content: bytes, lettura: Lettura, origine: str) -> None:
    """Read with calamine (Rust): openpyxl took 17 s of a 33 s dry run of 1,000 pupils, most of it parsing XML
    twice (the sheet's size first, when the exporter wrote no <dimension>)."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    for titolo in workbook.sheet_names:
        nome = titolo.strip().lower()
        if nome not in FOGLI:
            lettura.ignorati.append((titolo, str(FOGLIO_SCONOSCIUTO % {"nomi": ", ".join(FOGLI)})))
            continue
        righe = workbook.get_sheet_by_name(titolo).to_python(skip_empty_area=False)
        _add(lettura, _foglio(nome, righe))


def _add(lettura: Lettura, foglio: Foglio) -> None:
    if foglio.nome in lettura.fogli:  # the same kind in two files: one sheet, rows numbered per file
        lettura.fogli[foglio.nome].righe.extend(foglio.righe)
    else:
        lettura.fogli[foglio.nome] = foglio


def leggi(files: list[tuple[str, bytes]]) -> Lettura:
    """Read uploaded files: XLSX workbooks, CSV files named after their kind (alunni.csv), or a ZIP of them."""
    lettura = Lettura()
    for filename, content in files:
        name = PurePath(filename).name
        stem, suffix = PurePath(name.lower()).stem, PurePath(name.lower()).suffix
        try:
            if suffix in (".xlsx", ".xlsm") or content[:2] == b"PK" and suffix != ".zip":
                _xlsx(content, lettura, name)
            elif suffix == ".zip":
                with zipfile.ZipFile(io.BytesIO(content)) as archive:
                    inner = [(n, archive.read(n)) for n in archive.namelist()
                             if not n.endswith("/") and archive.getinfo(n).file_size < 50_000_000]
                nested = leggi(inner)
                lettura.errori.extend(nested.errori)
                lettura.ignorati.extend(nested.ignorati)
                for foglio in nested.fogli.values():
                    _add(lettura, foglio)
            elif stem in FOGLI:
                _add(lettura, _csv(stem, content))
            else:
                lettura.ignorati.append((name, str(FOGLIO_SCONOSCIUTO % {"nomi": ", ".join(FOGLI)})))
        except OverflowError as error:
            lettura.errori.append((name, str(error)))
        except Exception:  # noqa: BLE001 - openpyxl, zipfile and csv raise many kinds for a broken file
            lettura.errori.append((name, str(FILE_NON_LEGGIBILE)))
    return lettura


def impacchetta(files: list[tuple[str, bytes]]) -> bytes:
    """Several uploaded files as one ZIP, kept between the preview and the apply."""
    if len(files) == 1 and files[0][0].lower().endswith(".zip"):
        return files[0][1]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(PurePath(name).name, content)
    return buffer.getvalue()

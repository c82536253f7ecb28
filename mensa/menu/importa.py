"""Import the courses of a menu cycle from CSV or XLSX (tablib): preview first, then all or nothing.

Columns: settimana, giorno (lunedì…sabato or 1–6), portata (primo, secondo, contorno, frutta, pane),
piatto (a dish of the comune, by name: its ingredients give the allergens). Any other column is refused.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from omnibus import stamps

from .models import CicloMenu, GiornoSettimana, Piatto, Portata, VoceMenu

COLONNE = ("settimana", "giorno", "portata", "piatto")

FILE_NON_LEGGIBILE_ERROR = _("File non leggibile: usare CSV (separatore virgola o punto e virgola) o XLSX.")
COLONNA_MANCANTE_ERROR = _("Colonna obbligatoria mancante: «%(colonna)s».")
COLONNA_SCONOSCIUTA_ERROR = _(
    "Colonna sconosciuta: «%(colonna)s». Colonne ammesse: settimana, giorno, portata, piatto."
)
SETTIMANA_ERROR = _("Settimana non valida: un numero da 1 a %(n)s.")
GIORNO_ERROR = _("Giorno non valido: da lunedì a sabato (oppure da 1 a 6).")
PORTATA_ERROR = _("Portata non valida: primo, secondo, contorno, frutta o pane.")
PIATTO_ERROR = _("Piatto sconosciuto: «%(piatto)s». Crealo prima con i suoi ingredienti (Piatti).")
DUPLICATA_ERROR = _("Riga duplicata: stessa settimana, giorno e portata della riga %(riga)s.")
VUOTO_ERROR = _("Il file non contiene nessuna riga.")
CON_ERRORI_ERROR = _("Il file contiene errori: il menù non è stato cambiato.")

PORTATE_ALIAS = {"dessert": Portata.FRUTTA, "frutta o dessert": Portata.FRUTTA, "frutta/dessert": Portata.FRUTTA}


def _plain(value) -> str:
    text = unicodedata.normalize("NFKD", str(value if value is not None else "").strip().lower())
    return "".join(c for c in text if not unicodedata.combining(c))


GIORNI = {_plain(label): value for value, label in GiornoSettimana.choices}
GIORNI.update({str(value + 1): value for value in GiornoSettimana.values})


@dataclass(frozen=True)
class ErroreImport:
    riga: int
    colonna: str
    messaggio: str

    def __str__(self) -> str:
        return f"riga {self.riga}, colonna «{self.colonna}»: {self.messaggio}"


@dataclass
class AnteprimaMenu:
    voci: list[tuple[int, int, str, Piatto]] = field(default_factory=list)  # settimana, giorno, portata, piatto
    errori: list[ErroreImport] = field(default_factory=list)

    @property
    def valida(self) -> bool:
        return not self.errori and bool(self.voci)

    @property
    def righe(self) -> list[tuple[int, str, str, Piatto]]:
        return [(s, GiornoSettimana(g).label, Portata(p).label, piatto) for s, g, p, piatto in self.voci]


def _load(content: bytes, filename: str) -> tablib.Dataset:
    if filename.lower().endswith(".xlsx"):
        return tablib.Dataset().load(content, format="xlsx")
    text = content.decode("utf-8-sig")
    first = text.split("\n", 1)[0]
    return tablib.Dataset().load(text, format="csv", delimiter=";" if first.count(";") > first.count(",") else ",")


def menu_import_parse(*, ciclo: CicloMenu, content: bytes, filename: str) -> AnteprimaMenu:
    """The preview: every row checked (2 queries), nothing written."""
    anteprima = AnteprimaMenu()
    try:
        dataset = _load(content, filename)
    except Exception:  # noqa: BLE001 - tablib raises many kinds of errors for unreadable files
        anteprima.errori.append(ErroreImport(1, "file", str(FILE_NON_LEGGIBILE_ERROR)))
        return anteprima
    headers = [_plain(h) for h in (dataset.headers or [])]
    for header in headers:
        if header and header not in COLONNE:
            anteprima.errori.append(ErroreImport(1, header, str(COLONNA_SCONOSCIUTA_ERROR % {"colonna": header})))
    for colonna in COLONNE:
        if colonna not in headers:
            anteprima.errori.append(ErroreImport(1, colonna, str(COLONNA_MANCANTE_ERROR % {"colonna": colonna})))
    if anteprima.errori:
        return anteprima
    index = {c: headers.index(c) for c in COLONNE}
    piatti = {_plain(p.nome): p for p in Piatto.objects.filter(comune_id=ciclo.comune_id)}
    seen: dict[tuple[int, int, str], int] = {}
    for n, row in enumerate(dataset, start=2):
        if not any(str(v or "").strip() for v in row):
            continue
        errori = len(anteprima.errori)
        try:
            settimana = int(str(row[index["settimana"]]).strip().split(".")[0])
            if not 1 <= settimana <= ciclo.settimane:
                raise ValueError
        except ValueError:
            settimana = None
            anteprima.errori.append(ErroreImport(n, "settimana", str(SETTIMANA_ERROR % {"n": ciclo.settimane})))
        giorno = GIORNI.get(_plain(row[index["giorno"]]).split(".")[0])
        if giorno is None:
            anteprima.errori.append(ErroreImport(n, "giorno", str(GIORNO_ERROR)))
        portata_text = _plain(row[index["portata"]])
        portata = portata_text if portata_text in Portata.values else PORTATE_ALIAS.get(portata_text)
        if portata is None:
            anteprima.errori.append(ErroreImport(n, "portata", str(PORTATA_ERROR)))
        nome = str(row[index["piatto"]] or "").strip()
        piatto = piatti.get(_plain(nome))
        if piatto is None:
            anteprima.errori.append(ErroreImport(n, "piatto", str(PIATTO_ERROR % {"piatto": nome})))
        if len(anteprima.errori) > errori:
            continue
        key = (settimana, giorno, str(portata))
        if key in seen:
            anteprima.errori.append(ErroreImport(n, "portata", str(DUPLICATA_ERROR % {"riga": seen[key]})))
            continue
        seen[key] = n
        anteprima.voci.append((settimana, giorno, str(portata), piatto))
    if not anteprima.voci and not anteprima.errori:
        anteprima.errori.append(ErroreImport(2, "file", str(VUOTO_ERROR)))
    return anteprima


@transaction.atomic
def menu_import_apply(*, ciclo: CicloMenu, anteprima: AnteprimaMenu) -> int:
    """Replace the cycle's courses with the file's, in one transaction; refused if the preview had errors."""
    if not anteprima.valida:
        raise ValidationError(CON_ERRORI_ERROR)
    CicloMenu.objects.select_for_update().filter(pk=ciclo.pk).first()
    VoceMenu.objects.filter(ciclo=ciclo).delete()
    VoceMenu.objects.bulk_create([
        VoceMenu(comune_id=ciclo.comune_id, ciclo=ciclo, settimana=s, giorno_settimana=g, portata=p, piatto=piatto)
        for s, g, p, piatto in anteprima.voci
    ])
    stamps.comune_changed(ciclo.comune_id)  # bulk_create(): no model signal
    return len(anteprima.voci)

"""Read (and, for demos and tests, write) the XML `FlussoRiversamento` of the pagoPA specification.

Fields and types follow `xsd-common/FlussoRiversamento_1_0_4.xsd` in pagopa/pagopa-api
(namespace http://www.digitpa.gov.it/schemas/2011/Pagamenti/). Untrusted input is parsed with
defusedxml: a DTD, entity or external reference is refused, never expanded.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring  # noqa: S405 - writing only

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .flusso import FlussoLetto, FlussoNonValido, PagamentoLetto
from .models import EsitoPagamento

NAMESPACE = "http://www.digitpa.gov.it/schemas/2011/Pagamenti/"
_ID_FLUSSO = re.compile(r"^[a-zA-Z0-9\-_]{1,35}$")
_IMPORTO = re.compile(r"^\d{1,9}\.\d{2}$")
MAX_ERRORI = 50


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element) -> dict[str, list[Element]]:
    found: dict[str, list[Element]] = {}
    for child in element:
        if isinstance(child.tag, str):
            found.setdefault(_local(child.tag), []).append(child)
    return found


class _Lettore:
    """Collects every error instead of stopping at the first, so the office sees the whole list."""

    def __init__(self) -> None:
        self.errori: list[str] = []

    def testo(self, campi: dict[str, list[Element]], nome: str, dove: str, massimo: int = 35,
              obbligatorio: bool = True) -> str:
        elementi = campi.get(nome) or []
        valore = (elementi[0].text or "").strip() if elementi else ""
        if not valore:
            if obbligatorio:
                self.errori.append(f"{dove}: manca «{nome}».")
            return ""
        if len(valore) > massimo:
            self.errori.append(f"{dove}: «{nome}» supera {massimo} caratteri.")
            return valore[:massimo]
        return valore

    def importo(self, campi, nome: str, dove: str, positivo: bool) -> Decimal:
        valore = self.testo(campi, nome, dove, massimo=20)
        if valore and not _IMPORTO.match(valore):
            self.errori.append(f"{dove}: «{nome}» = «{valore}» non è un importo (es. 25.50).")
            return Decimal("0.00")
        try:
            importo = Decimal(valore) if valore else Decimal("0.00")
        except InvalidOperation:
            return Decimal("0.00")
        if valore and positivo and importo <= 0:
            self.errori.append(f"{dove}: «{nome}» deve essere maggiore di zero.")
        return importo

    def intero(self, campi, nome: str, dove: str, minimo: int, massimo: int, obbligatorio: bool = True) -> int:
        valore = self.testo(campi, nome, dove, massimo=15, obbligatorio=obbligatorio)
        if not valore:
            return minimo
        if not valore.isdigit() or not minimo <= int(valore) <= massimo:
            self.errori.append(f"{dove}: «{nome}» = «{valore}» non è un numero tra {minimo} e {massimo}.")
            return minimo
        return int(valore)

    def data(self, campi, nome: str, dove: str) -> datetime.date:
        valore = self.testo(campi, nome, dove, massimo=10)
        try:
            return datetime.date.fromisoformat(valore) if valore else datetime.date.min
        except ValueError:
            self.errori.append(f"{dove}: «{nome}» = «{valore}» non è una data (AAAA-MM-GG).")
            return datetime.date.min

    def data_ora(self, campi, nome: str, dove: str) -> datetime.datetime:
        valore = self.testo(campi, nome, dove, massimo=40)
        try:
            parsed = parse_datetime(valore) if valore else None
        except ValueError:
            parsed = None
        if parsed is None:
            if valore:
                self.errori.append(f"{dove}: «{nome}» = «{valore}» non è una data e ora.")
            return timezone.now()
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)

    def codice(self, campi, figlio: str, dove: str) -> str:
        blocco = (campi.get(figlio) or [None])[0]
        if blocco is None:
            return ""
        identificativo = (_children(blocco).get(figlio.replace("istituto", "identificativoUnivoco")) or [None])[0]
        if identificativo is None:
            self.errori.append(f"{dove}: manca l'identificativo univoco di «{figlio}».")
            return ""
        return self.testo(_children(identificativo), "codiceIdentificativoUnivoco", f"{dove} {figlio}")


def flusso_from_xml(data: bytes) -> FlussoLetto:
    """Parse a FlussoRiversamento; raise FlussoNonValido listing every problem found."""
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise FlussoNonValido([f"Il file contiene costrutti XML non ammessi (DTD o entità): {type(error).__name__}."]
                              ) from error
    except (ParseError, ValueError) as error:
        raise FlussoNonValido([f"Il file non è XML ben formato: {error}."]) from error
    if _local(root.tag) != "FlussoRiversamento":
        raise FlussoNonValido([f"L'elemento radice è «{_local(root.tag)}», non «FlussoRiversamento»."])
    lettore = _Lettore()
    campi = _children(root)
    dove = "Flusso"
    identificativo = lettore.testo(campi, "identificativoFlusso", dove)
    if identificativo and not _ID_FLUSSO.match(identificativo):
        lettore.errori.append(f"{dove}: «identificativoFlusso» ammette solo lettere, cifre, «-» e «_».")
    mittente = (campi.get("istitutoMittente") or [None])[0]
    psp_nome = ""
    if mittente is not None:
        psp_nome = lettore.testo(_children(mittente), "denominazioneMittente", dove, massimo=70, obbligatorio=False)
    else:
        lettore.errori.append(f"{dove}: manca «istitutoMittente».")
    if not campi.get("istitutoRicevente"):
        lettore.errori.append(f"{dove}: manca «istitutoRicevente».")
    flusso = FlussoLetto(
        identificativo=identificativo,
        data_ora_flusso=lettore.data_ora(campi, "dataOraFlusso", dove),
        identificativo_regolamento=lettore.testo(campi, "identificativoUnivocoRegolamento", dove),
        data_regolamento=lettore.data(campi, "dataRegolamento", dove),
        psp_id=lettore.codice(campi, "istitutoMittente", dove),
        psp_nome=psp_nome,
        ente_ricevente=lettore.codice(campi, "istitutoRicevente", dove),
        numero_dichiarato=lettore.intero(campi, "numeroTotalePagamenti", dove, 1, 10**15 - 1),
        importo_dichiarato=lettore.importo(campi, "importoTotalePagamenti", dove, positivo=False),
        codice_bic=lettore.testo(campi, "codiceBicBancaDiRiversamento", dove, obbligatorio=False),
    )
    singoli = campi.get("datiSingoliPagamenti") or []
    if not singoli:
        lettore.errori.append(f"{dove}: nessun «datiSingoliPagamenti».")
    for n, elemento in enumerate(singoli, start=1):
        voce = _children(elemento)
        dove_n = f"Pagamento n. {n}"
        esito = lettore.testo(voce, "codiceEsitoSingoloPagamento", dove_n, massimo=1)
        if esito and esito not in EsitoPagamento.values:
            lettore.errori.append(f"{dove_n}: «codiceEsitoSingoloPagamento» = «{esito}» non è 0, 3, 4, 8 o 9.")
        flusso.pagamenti.append(PagamentoLetto(
            progressivo=n,
            iuv=lettore.testo(voce, "identificativoUnivocoVersamento", dove_n),
            iur=lettore.testo(voce, "identificativoUnivocoRiscossione", dove_n),
            indice=lettore.intero(voce, "indiceDatiSingoloPagamento", dove_n, 1, 5, obbligatorio=False),
            importo=lettore.importo(voce, "singoloImportoPagato", dove_n, positivo=True),
            esito=esito,
            data_esito=lettore.data(voce, "dataEsitoSingoloPagamento", dove_n),
        ))
        if len(lettore.errori) > MAX_ERRORI and n < len(singoli):
            lettore.errori.append(f"… lettura interrotta al pagamento n. {n} di {len(singoli)}: troppi errori.")
            break
    if lettore.errori:
        raise FlussoNonValido(lettore.errori)
    return flusso


def flusso_to_xml(flusso: FlussoLetto, *, ente_nome: str = "") -> bytes:
    """Write a flow as the PSP would send it (demo file, benchmark, tests)."""
    ns = f"{{{NAMESPACE}}}"
    root = Element(f"{ns}FlussoRiversamento")

    def add(parent: Element, name: str, text: str | None = None) -> Element:
        element = SubElement(parent, f"{ns}{name}")
        if text is not None:
            element.text = text
        return element

    add(root, "versioneOggetto", "1.0")
    add(root, "identificativoFlusso", flusso.identificativo)
    add(root, "dataOraFlusso", flusso.data_ora_flusso.replace(tzinfo=None, microsecond=0).isoformat())
    add(root, "identificativoUnivocoRegolamento", flusso.identificativo_regolamento)
    add(root, "dataRegolamento", flusso.data_regolamento.isoformat())
    mittente = add(root, "istitutoMittente")
    ident = add(mittente, "identificativoUnivocoMittente")
    add(ident, "tipoIdentificativoUnivoco", "B")
    add(ident, "codiceIdentificativoUnivoco", flusso.psp_id)
    if flusso.psp_nome:
        add(mittente, "denominazioneMittente", flusso.psp_nome)
    if flusso.codice_bic:
        add(root, "codiceBicBancaDiRiversamento", flusso.codice_bic)
    ricevente = add(root, "istitutoRicevente")
    ident = add(ricevente, "identificativoUnivocoRicevente")
    add(ident, "tipoIdentificativoUnivoco", "G")
    add(ident, "codiceIdentificativoUnivoco", flusso.ente_ricevente)
    if ente_nome:
        add(ricevente, "denominazioneRicevente", ente_nome)
    add(root, "numeroTotalePagamenti", str(flusso.numero_dichiarato))
    add(root, "importoTotalePagamenti", f"{flusso.importo_dichiarato:.2f}")
    for pagamento in flusso.pagamenti:
        voce = add(root, "datiSingoliPagamenti")
        add(voce, "identificativoUnivocoVersamento", pagamento.iuv)
        add(voce, "identificativoUnivocoRiscossione", pagamento.iur)
        add(voce, "indiceDatiSingoloPagamento", str(pagamento.indice))
        add(voce, "singoloImportoPagato", f"{pagamento.importo:.2f}")
        add(voce, "codiceEsitoSingoloPagamento", pagamento.esito)
        add(voce, "dataEsitoSingoloPagamento", pagamento.data_esito.isoformat())
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode").replace(
        "ns0:", "pay_i:").replace(":ns0=", ":pay_i=").encode()

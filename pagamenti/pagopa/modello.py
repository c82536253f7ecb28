"""The pagoPA avviso as the national model (Avvisi pagoPA 3.x, rata unica), drawn by our own template.

Every avviso the portal prints goes through `avviso_pagina` (the data of one page) and the template
`pagamenti/pdf/_avviso_pagopa.html`: the family's RICARICA (mensa and trasporto), the reminder letters,
and the PDF App IO links to. Facts from the specification (pagopa/devportal-docs, avvisi guide, allegato 2):
- order of the modules: intestazione; importo e scadenza, dove pagare; ente creditore, destinatario;
  dati per il pagamento (rata unica, then the Bollettino Postale PA when the ente has a postal account);
- QR code 25×25 mm, vector, monochrome, on white; codice avviso in groups of 4; the CBILL code;
- ente logo 30×30 mm, top right; outer margins 10 mm; black, grey #7C7C7B for the second language,
  light grey #ECECEC for section backgrounds, pagoPA blue #0066CC for its mark;
- amounts 1.020,99 (Italian, German) and 1,020.99 (English); dates dd/mm/yyyy.
"""

from __future__ import annotations

import base64
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.utils.html import format_html

from .avviso_testi import TESTI, codice_a_gruppi, importo_formattato

LINGUA_PRINCIPALE = "it"


def font_dir() -> str:
    """Titillium Web and Roboto Mono, as shipped with Bootstrap Italia (the theme the portal uses)."""
    import bootstrap_italia_template

    return (Path(bootstrap_italia_template.__file__).parent / "static" / "fonts").as_uri()


def matrice_svg(moduli: list[list[bool]]) -> str:
    """A 2D code as one SVG path in a viewBox of one unit per module: vector, black on white, sized by CSS."""
    altezza, larghezza = len(moduli), len(moduli[0])
    tratti = []
    for y, riga in enumerate(moduli):
        x = 0
        while x < larghezza:
            if riga[x]:
                inizio = x
                while x < larghezza and riga[x]:
                    x += 1
                tratti.append(f"M{inizio} {y}h{x - inizio}v1h{inizio - x}z")
            else:
                x += 1
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {larghezza} {altezza}" '
            f'shape-rendering="crispEdges"><rect width="{larghezza}" height="{altezza}" fill="#fff"/>'
            f'<path fill="#000" d="{"".join(tratti)}"/></svg>')


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def qr_moduli(contenuto: str) -> list[list[bool]]:
    """The QR symbol's modules without the quiet zone (the template leaves white around it)."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data(contenuto)
    qr.make(fit=True)
    return qr.get_matrix()


def data_matrix_moduli(contenuto: str) -> list[list[bool]]:
    from ppf.datamatrix import DataMatrix

    return [[bool(m) for m in riga] for riga in DataMatrix(contenuto).matrix]


def _ascii(testo: str) -> str:
    """Poste's Data Matrix takes plain ASCII: accents dropped (Niccolò -> Niccolo), the rest left out."""
    return unicodedata.normalize("NFKD", testo).encode("ascii", "ignore").decode()


def data_matrix_content(*, numero_avviso: str, conto_postale: str, centesimi: int, cf_ente: str,
                        cf_destinatario: str, nome_destinatario: str, oggetto: str) -> str:
    """The Bollettino Postale PA's Data Matrix (256 characters), fixed-width fields in this order:
    "codfase=NBPA;", "18" + codice avviso (18), "12" + conto (12, zeros left), "10" + importo in cents
    (10, zeros left), "3" + tipo documento "896", "1" + "P1", codice fiscale ente (11), codice fiscale
    destinatario (16), nome (40), oggetto (110), filler (12 spaces), "A".

    Source: Poste Italiane, "Manuale della stampa in proprio" (allegato-2 sends there), as read back by
    pagoPA's own IO app (pagopa/io-app, decodePosteDataMatrix: notice at [15:33], amount at [49:59],
    ente at [66:77])."""
    campi = [
        "codfase=NBPA;",
        "18", numero_avviso.rjust(18, "0")[:18],
        "12", conto_postale.rjust(12, "0")[:12],
        "10", str(centesimi).rjust(10, "0")[:10],
        "3", "896",
        "1", "P1",
        cf_ente.ljust(11)[:11],
        _ascii(cf_destinatario).upper().ljust(16)[:16],
        _ascii(nome_destinatario).upper().ljust(40)[:40],
        _ascii(oggetto).ljust(110)[:110],
        " " * 12,
        "A",
    ]
    return "".join(campi)


class Testo:
    """A fixed text in the avviso's languages: the first in black, the second (if any) in grey after it."""

    def __init__(self, chiave: str, lingue: list[str], **valori: str) -> None:
        self.parti = [TESTI[lingua][chiave].format(**valori) for lingua in lingue]

    def __str__(self) -> str:
        if len(self.parti) == 1 or self.parti[1] == self.parti[0]:
            return format_html("{}", self.parti[0])
        return format_html('{}<span class="l2">{}</span>', self.parti[0], self.parti[1])

    def __html__(self) -> str:
        return str(self)


class Testi(dict):
    def __init__(self, lingue: list[str], ente: str) -> None:
        super().__init__({chiave: Testo(chiave, lingue, ente=ente) for chiave in TESTI[LINGUA_PRINCIPALE]})


@dataclass(frozen=True)
class Destinatario:
    nome: str
    codice_fiscale: str = ""


def lingue_avviso(*, lingua: str, seconda_lingua: str) -> list[str]:
    """English for a family browsing in English ("avviso in altra lingua"); otherwise Italian, followed
    by the comune's second language when it has chosen one ("avviso con seconda lingua")."""
    if lingua == "en":
        return ["en"]
    return [LINGUA_PRINCIPALE, seconda_lingua] if seconda_lingua in TESTI else [LINGUA_PRINCIPALE]


def _logo_uri(comune, config) -> str:
    for campo in (getattr(config, "logo_avviso", None), comune.logo):
        if campo:
            try:
                return Path(campo.path).as_uri()
            except (NotImplementedError, ValueError):
                continue
    return ""


def _info_ente(comune) -> str:
    """ENTE.INFO: the comune's contacts for citizens, separated by a middle dot (at most 100 characters)."""
    parti = [p for p in (comune.sito_web.removeprefix("https://").removeprefix("http://").rstrip("/"),
                         comune.telefono and f"Tel. {comune.telefono}", comune.email) if p]
    info = " · ".join(parti)
    return info if len(info) <= 100 else " · ".join(parti[:2])[:100]


def ente_nome_of(comune) -> str:
    """ENTE.NOME, the ente's denomination (at most 50 characters): "Comune di Leporano"."""
    nome = comune.nome if comune.nome.lower().startswith("comune") else f"Comune di {comune.nome}"
    return nome[:50]


def avviso_pagina(*, posizione, oggetto: str, destinatario: Destinatario, lingua: str = LINGUA_PRINCIPALE,
                  config=None) -> dict:
    """The data of one avviso page: texts in its languages, amounts and codes, QR and Data Matrix."""
    from pagamenti.models import ConfigurazionePagamenti

    from .avviso import avviso_qr_content

    comune = posizione.comune
    if config is None:
        config = ConfigurazionePagamenti.objects.filter(comune=comune).first()
    lingue = lingue_avviso(lingua=lingua, seconda_lingua=getattr(config, "seconda_lingua", ""))
    oggetto = oggetto[:90]
    ente_nome = ente_nome_of(comune)
    pagina = {
        "lingue": lingue, "t": Testi(lingue, ente_nome), "comune": comune, "ente_nome": ente_nome,
        "ente_cf": comune.codice_fiscale.upper(), "ente_info": _info_ente(comune), "logo": _logo_uri(comune, config),
        "oggetto": oggetto, "destinatario": destinatario,
        "importo": importo_formattato(posizione.importo, lingue[0]),
        "scadenza": f"{posizione.scadenza:%d/%m/%Y}", "codice_avviso": codice_a_gruppi(posizione.numero_avviso),
        "cbill": getattr(config, "codice_cbill", "").upper(),
        "qr": svg_data_uri(matrice_svg(qr_moduli(avviso_qr_content(posizione)))),
        "bollettino": None,
    }
    if config is not None and config.conto_postale:
        pagina["bollettino"] = {
            "conto": config.conto_postale, "intestatario": config.intestatario_conto_postale,
            "autorizzazione": config.autorizzazione_poste,
            "data_matrix": svg_data_uri(matrice_svg(data_matrix_moduli(data_matrix_content(
                numero_avviso=posizione.numero_avviso, conto_postale=config.conto_postale,
                centesimi=posizione.centesimi, cf_ente=comune.codice_fiscale,
                cf_destinatario=destinatario.codice_fiscale, nome_destinatario=destinatario.nome, oggetto=oggetto,
            )))),
        }
    return pagina

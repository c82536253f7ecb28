"""Server-side SVG charts (pygal): no JavaScript, readable on a tablet, each shown with its data table."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pygal
from pygal.style import Style

# Bootstrap Italia's blues and a contrasting orange; big enough type for a tablet at arm's length.
STILE = Style(
    background="transparent", plot_background="transparent", foreground="#17324d", foreground_strong="#17324d",
    foreground_subtle="#5c6f82", colors=("#0066cc", "#d9364f", "#008055", "#a66300"),
    font_family="Titillium Web, sans-serif",
    label_font_size=14, major_label_font_size=14, legend_font_size=14, value_font_size=13, title_font_size=16,
)


# pygal always inlines its tooltip configuration as a <script>; the CSP (script-src 'self') would block
# it anyway, so it is removed: the chart is static and its numbers are in the table below it.
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


@dataclass
class Grafico:
    """A chart and the table a screen reader reads instead."""

    titolo: str
    svg: str
    intestazioni: list[str]
    righe: list[list[str]]


def _config(**kwargs) -> dict:
    # js=[]: pygal would otherwise load its tooltip script from a CDN, which our CSP forbids.
    return {"style": STILE, "js": [], "disable_xml_declaration": True, "show_legend": True, "height": 320,
            "width": 800, "explicit_size": False, "print_values": False, "legend_at_bottom": True, **kwargs}


def _euro(value: Decimal) -> str:
    return f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") + " €"


def grafico_barre(*, titolo: str, etichette: list[str], serie: dict[str, list], euro: bool = False,
                  stacked: bool = False) -> Grafico:
    chart = (pygal.StackedBar if stacked else pygal.Bar)(**_config(
        x_label_rotation=0 if len(etichette) <= 12 else 45, show_legend=len(serie) > 1,
    ))
    chart.title = titolo
    chart.x_labels = etichette
    for nome, valori in serie.items():
        chart.add(nome, [float(v) for v in valori])
    formato = _euro if euro else str
    righe = [[etichetta] + [formato(valori[i]) for valori in serie.values()] for i, etichetta in enumerate(etichette)]
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    return Grafico(titolo=titolo, svg=svg, intestazioni=[""] + list(serie), righe=righe)

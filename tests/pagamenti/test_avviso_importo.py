"""The amount on the avviso reads "22,60 Euro" as written: the comma sits between its digits as in any
text, not in a monospace cell of its own ("22 , 60"), and the text layer keeps the space before "Euro"."""

from __future__ import annotations

from decimal import Decimal

import pypdfium2
from django_scopes import scope

from pagamenti.models import Posizione

from .avviso_lettura import page_texts
from .conftest import configure
from .helpers import add_to_cart, checkout, url


def _avviso(client, alice, child, leporano, importo: str) -> bytes:
    configure(leporano, importo_massimo=Decimal("2000.00"), conto_postale="1234567")
    client.force_login(alice)
    add_to_cart(client, child, importo)
    checkout(client, "avviso")
    with scope(comune=leporano):
        posizione = Posizione.objects.get()
    response = client.get(url("avviso_pdf", token=posizione.token))
    assert response.status_code == 200
    return response.content


def _separators(pdf: bytes, importo: str) -> list[tuple[float, float]]:
    """For each printed `importo`, each separator's room (from the digit before it to the digit after it) and
    the widest digit's width, in points, from the glyphs' boxes on the page."""
    textpage = pypdfium2.PdfDocument(pdf)[0].get_textpage()
    text = textpage.get_text_range()
    found, start = [], text.find(importo)
    while start >= 0:
        boxes = [textpage.get_charbox(start + i) for i in range(len(importo))]  # (left, bottom, right, top)
        digit = max(right - left for (left, _b, right, _t), c in zip(boxes, importo, strict=True) if c.isdigit())
        for i, char in enumerate(importo):
            if char in ",.":
                found.append((boxes[i + 1][0] - boxes[i - 1][2], digit))
        start = text.find(importo, start + 1)
    return found


def test_the_amount_reads_tight_with_its_comma_between_the_digits(client, alice, alice_children, leporano):
    pdf = _avviso(client, alice, alice_children[0], leporano, "22.60")
    lines = page_texts(pdf)[0].splitlines()
    assert "22,60 Euro" in lines  # QUANTO E QUANDO PAGARE?, as the reader reads it
    assert sum("22,60 Euro" in line for line in lines) == 3  # and on the rata unica and the bollettino
    separators = _separators(pdf, "22,60")
    assert len(separators) == 3
    for room, digit in separators:
        # In Roboto Mono the comma took a whole digit's cell plus both sidebearings: 1.4 digits.
        assert room < digit, separators


def test_thousands_read_tight_too(client, alice, alice_children, leporano):
    pdf = _avviso(client, alice, alice_children[0], leporano, "1022.60")
    assert "1.022,60 Euro" in page_texts(pdf)[0].splitlines()
    separators = _separators(pdf, "1.022,60")
    assert len(separators) == 6
    assert all(room < digit for room, digit in separators), separators

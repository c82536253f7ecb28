"""Reading an avviso PDF back as a cashier's scanner and a reader would: text, page count, 2D codes."""

from __future__ import annotations

import io

import pdfplumber
import pypdfium2
import zxingcpp
from pypdf import PdfReader

DPI = 300
MM_PER_INCH = 25.4


def page_texts(pdf_bytes: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf_bytes)).pages]


def words(pdf_bytes: bytes, page: int = 0) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        return [w["text"] for w in pdf.pages[page].extract_words()]


def codes(pdf_bytes: bytes, page: int = 0) -> list[tuple[str, str, float, float]]:
    """(format, text, width mm, height mm) of every 2D code on the page, rendered at 300 dpi.

    zxing finds and decodes each code; its size is the box of the dark pixels around where zxing found
    it (the quiet zone around the symbol is white, so the box ends at the symbol's edge)."""
    image = pypdfium2.PdfDocument(pdf_bytes)[page].render(scale=DPI / 72).to_pil().convert("L")
    margin = round(1.5 / MM_PER_INCH * DPI)
    found = []
    for result in zxingcpp.read_barcodes(image):
        p = result.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
        box = (min(xs) - margin, min(ys) - margin, max(xs) + margin, max(ys) + margin)
        dark = image.crop(box).point(lambda v: 255 if v < 128 else 0).getbbox()
        width, height = ((dark[2] - dark[0]) * MM_PER_INCH / DPI, (dark[3] - dark[1]) * MM_PER_INCH / DPI)
        found.append((result.format.name, result.text, width, height))
    return found

"""PDF and QR rendering shared by the avviso, the receipt, the PuntoLIS page and the statement."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.template.loader import render_to_string
from qrcode.constants import ERROR_CORRECT_M


def qr_svg(content: str) -> str:
    """The QR code as standalone SVG markup (vector: sharp at any print resolution)."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=10)
    qr.add_data(content)
    qr.make(fit=True)
    image = qr.make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def qr_data_uri(content: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(content).encode()).decode()


def qr_png_data_uri(content: str) -> str:
    """The QR code as a PNG of one pixel per module, for many-page PDFs (the families' letters): WeasyPrint
    draws an SVG path in Python for every document, a bitmap costs nothing. Shown with
    `image-rendering: pixelated` it stays as sharp as the vector one at any size (PDF /Interpolate false)."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=1)
    qr.add_data(content)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image().save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()

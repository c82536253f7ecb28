"""The avviso PDF: one A4 page whose QR decodes, from a 200 dpi rendering, to the pagoPA content."""

import pypdfium2
import pytest
import zxingcpp
from django.core import mail
from django_scopes import scope

from pagamenti.models import Posizione
from pagamenti.pagopa.avviso import avviso_qr_content

from .helpers import add_to_cart, checkout, url


def decode_qr(pdf_bytes: bytes) -> tuple[int, list[str]]:
    pdf = pypdfium2.PdfDocument(pdf_bytes)
    image = pdf[0].render(scale=200 / 72).to_pil()
    return len(pdf), [r.text for r in zxingcpp.read_barcodes(image)]


@pytest.fixture
def posizione(client, alice, alice_children, config_leporano, leporano):
    client.force_login(alice)
    add_to_cart(client, alice_children[0], "25.00")
    add_to_cart(client, alice_children[1], "12.40", "trasporto")
    checkout(client, "avviso")
    with scope(comune=leporano):
        return Posizione.objects.select_related("comune").get()


def test_the_avviso_downloads_and_its_qr_decodes(client, posizione):
    response = client.get(url("avviso_pdf", token=posizione.token))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages, codes = decode_qr(response.content)
    assert pages == 1
    expected = f"PAGOPA|002|{posizione.numero_avviso}|80009290737|3740"
    assert codes == [expected]
    assert avviso_qr_content(posizione) == expected


def test_the_avviso_page_shows_notice_number_and_fiscal_code(client, posizione):
    body = client.get(url("posizione", token=posizione.token)).content.decode()
    assert posizione.numero_avviso_formattato in body and "80009290737" in body


def test_the_avviso_is_sent_by_email_on_request(client, posizione, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("avviso_email", token=posizione.token), {"email": "alice@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"] and posizione.numero_avviso in message.subject
    name, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf" and decode_qr(content)[1][0].startswith("PAGOPA|002|")

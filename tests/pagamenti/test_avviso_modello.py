"""The avviso as the pagoPA national model (Avvisi pagoPA 3.x, pagopa/devportal-docs, avvisi guide):
read back from the PDF the family downloads, as a reader (text) and a scanner (QR, Data Matrix) would."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_scopes import scope

from pagamenti.models import Posizione

from .avviso_lettura import codes, page_texts, words
from .conftest import configure
from .helpers import add_to_cart, checkout, url

# allegato-2/specifiche-tecniche: the modules in the order of the page (intestazione; importo e scadenza,
# dove pagare; ente creditore, destinatario; dati per il pagamento), then the Bollettino Postale PA.
SEZIONI_IT = ["AVVISO DI PAGAMENTO", "QUANTO E QUANDO PAGARE?", "DOVE PAGARE?", "ENTE CREDITORE", "DESTINATARIO",
              "DATI PER IL PAGAMENTO"]


@pytest.fixture
def posizione(client, alice, alice_children, leporano):
    def make(**config):
        configure(leporano, importo_massimo=Decimal("2000.00"), **config)
        client.force_login(alice)
        add_to_cart(client, alice_children[0], "1025.50")
        add_to_cart(client, alice_children[1], "12.40", "trasporto")
        checkout(client, "avviso")
        with scope(comune=leporano):
            return Posizione.objects.select_related("comune").get()
    return make


def _pdf(client, posizione) -> bytes:
    response = client.get(url("avviso_pdf", token=posizione.token))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def _in_order(text: str, titles: list[str]) -> bool:
    upper, start = text.upper(), 0
    for title in titles:
        found = upper.find(title, start)
        if found < 0:
            return False
        start = found + len(title)
    return True


def test_the_avviso_is_one_page_with_every_section_in_the_model_order(client, posizione):
    pdf = _pdf(client, posizione())
    texts = page_texts(pdf)
    assert len(texts) == 1
    assert _in_order(texts[0], SEZIONI_IT), texts[0]
    assert "BOLLETTINO POSTALE PA" not in texts[0].upper()  # Leporano has no postal account here
    assert len(pdf) <= 150 * 1024  # without a logo


def test_the_qr_is_25_mm_and_carries_the_pagopa_payload(client, posizione):
    p = posizione()
    found = codes(_pdf(client, p))
    assert [(f, t) for f, t, _w, _h in found] == [("QRCode", f"PAGOPA|002|{p.numero_avviso}|80009290737|103790")]
    _f, _t, width, height = found[0]
    assert abs(width - 25) <= 0.5 and abs(height - 25) <= 0.5, (width, height)


def test_codes_amount_and_date_are_printed_as_the_model_says(client, posizione):
    p = posizione(codice_cbill="a1b2c")
    pdf = _pdf(client, p)
    text = page_texts(pdf)[0]
    grouped = " ".join(p.numero_avviso[i:i + 4] for i in range(0, 18, 4))
    assert grouped in text and len(grouped) == 22  # AVVISO.CODICE: groups of 4, 22 characters
    assert "A1B2C" in text and "Codice CBILL" in text  # ENTE.CBILL, all capitals
    assert "1.037,90" in words(pdf)  # AVVISO.IMPORTO in Italian
    assert f"{p.scadenza:%d/%m/%Y}" in text  # AVVISO.DATA dd/mm/yyyy
    assert "Alice Lacaita" in text and "Comune di Leporano" in text and "80009290737" in text


def test_with_a_postal_account_the_bollettino_and_its_data_matrix_follow(client, posizione, leporano):
    from pagamenti.models import ConfigurazionePagamenti  # noqa: F401 - the configuration the page reads

    p = posizione(conto_postale="1234567", intestatario_conto_postale="Comune di Leporano – Servizio tesoreria",
                  autorizzazione_poste="AUT. DB/SISB/E 12345 DEL 01/02/2024")
    pdf = _pdf(client, p)
    texts = page_texts(pdf)
    assert len(texts) == 1 and _in_order(texts[0], [*SEZIONI_IT, "BOLLETTINO POSTALE PA"])
    assert "AUT. DB/SISB/E 12345 DEL 01/02/2024" in texts[0] and "000001234567" not in texts[0]
    found = {f: (t, w, h) for f, t, w, h in codes(pdf)}
    assert set(found) == {"QRCode", "DataMatrix"}
    matrix, width, height = found["DataMatrix"]
    # Poste Italiane's Data Matrix, as pagoPA's IO app reads it (pagopa/io-app, decodePosteDataMatrix).
    assert len(matrix) == 256 and matrix.startswith("codfase=NBPA;18")
    assert matrix[15:33] == p.numero_avviso
    assert matrix[33:35] == "12" and matrix[35:47] == "000001234567"
    assert matrix[47:49] == "10" and matrix[49:59] == "0000103790"
    assert matrix[59:66] == "38961P1" and matrix[66:77] == "80009290737"
    assert matrix[93:133].rstrip() == "ALICE LACAITA" and matrix.endswith(" " * 12 + "A")
    assert abs(width - 25) <= 0.5 and abs(height - 25) <= 0.5


def test_a_comune_with_a_second_language_gets_the_bilingual_avviso(client, posizione):
    pdf = _pdf(client, posizione(seconda_lingua="de"))
    text = page_texts(pdf)[0]
    assert len(page_texts(pdf)) == 1 and _in_order(text, SEZIONI_IT)
    for german in ("Zahlungsmitteilung", "Wieviel und wann bezahlen?", "Wo bezahlen?", "Körperschaft", "Empfänger",
                   "Zahlungsinformationen", "Zahlungsmitteilungskodex"):
        assert german in text, german
    assert "1.037,90" in words(pdf)  # the amount once, as Italian (and German) write it


def test_a_family_browsing_in_english_gets_the_english_avviso(client, posizione):
    p = posizione(seconda_lingua="de")
    client.cookies["django_language"] = "en"
    pdf = _pdf(client, p)
    text = page_texts(pdf)[0]
    assert _in_order(text, ["PAYMENT NOTICE", "HOW MUCH AND WHEN TO PAY?", "WHERE TO PAY?", "PAYEE", "RECIPIENT",
                            "PAYMENT DETAILS"]), text
    assert "Quanto e quando pagare?".upper() not in text.upper() and "Zahlungsmitteilung" not in text
    assert "1,037.90" in words(pdf)  # AVVISO.IMPORTO in English: thousands by a comma, decimals by a dot
    assert "School meals and school bus top-up" in text
    assert [t for _f, t, _w, _h in codes(pdf)] == [f"PAGOPA|002|{p.numero_avviso}|80009290737|103790"]


def test_another_family_and_another_comune_get_no_avviso(client, posizione, charlie, bob):
    p = posizione()
    client.force_login(charlie)
    assert client.get(url("avviso_pdf", token=p.token)).status_code == 404
    assert client.get(url("avviso_pdf", comune="pulsano", token=p.token)).status_code in (403, 404)

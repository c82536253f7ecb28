"""Our catalogue of the avviso's fixed texts says what pagoPA's published strings say.

Transcribed from pagopa/devportal-docs, docs/SMV4ff0TIOG51OY8nENy/ (Avvisi pagoPA 3.2/3.3):
allegato-1/varianti/traduzioni/README.md (Italian and French strings) and .gitbook/assets/
pagoPA-avvisi-3.2-stringhe-en.json, pagoPA-avvisi-3.2-stringhe-de.json, pagoPA-avvisi-320-stringhe-sl.json."""

from decimal import Decimal

import pytest

from pagamenti.pagopa.avviso_testi import TESTI, codice_a_gruppi, importo_formattato

PUBBLICATI = {
    # language: {our key: the published string (its JSON path)}
    "it": {"quanto_titolo": "Quanto e quando pagare?",  # avviso.importoScadenza.titolo
           "dove_titolo": "Dove pagare?",  # avviso.dovePagare.titolo
           "titolo": "Avviso di pagamento",  # avviso.intestazione.titolo
           "dati_titolo": "Dati per il pagamento",  # avviso.datiPagamento.titolo
           "territorio_titolo": "Paga sul territorio",  # avviso.dovePagare.italia.territorio.titolo
           "istruzioni_qr": "Inquadra il codice QR con la tua app di pagamento o usa i dati accanto."},
    "en": {"quanto_titolo": "How much and when to pay?", "dove_titolo": "Where to pay?",
           "titolo": "Payment notice", "ente_titolo": "Payee", "destinatario_titolo": "Recipient",
           "codice_avviso": "Notice code", "online_titolo": "Pay with the IO app"},
    "de": {"quanto_titolo": "Wieviel und wann bezahlen?", "dove_titolo": "Wo bezahlen?",
           "titolo": "Zahlungsmitteilung", "codice_avviso": "Zahlungsmitteilungskodex"},
    "fr": {"quanto_titolo": "Combien et quand payer?", "dove_titolo": "Où payer?", "titolo": "Avis de paiement"},
    "sl": {"quanto_titolo": "Koliko in kdaj plačati?", "dove_titolo": "Kje plačati?",
           "titolo": "Obvestilo o plačilu", "dati_titolo": "Podatki za plačilo"},
}


@pytest.mark.parametrize("lingua", sorted(PUBBLICATI))
def test_key_strings_match_the_published_ones(lingua):
    for chiave, pubblicato in PUBBLICATI[lingua].items():
        assert TESTI[lingua][chiave] == pubblicato, (lingua, chiave)


def test_every_language_has_every_text():
    assert all(set(TESTI[lingua]) == set(TESTI["it"]) for lingua in TESTI)


def test_amount_and_notice_code_formats():
    # allegato-2, importo e scadenza: 1.020,99 in Italian and German, 1,020.99 in English.
    assert importo_formattato(Decimal("1020.99"), "it") == "1.020,99"
    assert importo_formattato(Decimal("1020.99"), "de") == "1.020,99"
    assert importo_formattato(Decimal("1020.99"), "en") == "1,020.99"
    # rata unica, AVVISO.CODICE: groups of 4, 22 characters with the spaces.
    assert codice_a_gruppi("302000000012130321") == "3020 0000 0012 1303 21"

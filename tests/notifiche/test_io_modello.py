"""App IO messages follow the national model of the school-canteen service on IO ("Mensa scolastica",
pagopa/devportal-docs, docs/0OMsoqOg9GiJ2xusVHMv/educazione-e-formazione/mensa-scolastica.md): each
event kind, read from the notification's key, gets the model's subject and text, checked by the local
fake of IO's Services API (tests/fakes/io_server.py), which refuses a subject outside 10–120 characters
or a markdown outside 80–10,000."""

from __future__ import annotations

import pytest
from django_scopes import scope

from notifiche.models import MessaggioIO, ServizioIO, StatoMessaggioIO
from notifiche.services import notifica_send
from tests.fakes.io_server import FakeIO, message_problems

CF = "RSSMRA80A01H501U"
KEY = "chiave-io-mensa-leporano"
AVVISO = {"importo_centesimi": 123456, "numero_avviso": "302000000000012345", "scadenza": "2026-12-15",
          "invalido_dopo_scadenza": True}
TESTO = "Dettaglio del portale: la tariffa è di 4,10 € a pasto."


@pytest.fixture
def io(settings, leporano, alice):
    with FakeIO(keys={KEY}, citizens={CF: True}) as fake:
        settings.APP_IO_BASE_URL = fake.base_url
        settings.APP_IO_TIMEOUT_SECONDS = 2
        alice.codice_fiscale, alice.codice_fiscale_verificato = CF, True
        alice.save()
        with scope(comune=leporano):
            ServizioIO.objects.create(comune=leporano, ambito="mensa", nome="Refezione scolastica", api_key=KEY)
        yield fake


def sent(io, leporano, alice, capture, *, chiave, titolo="Messaggio del portale", testo=TESTO, child=None,
         pagamento=None) -> dict:
    with scope(comune=leporano), capture(execute=True):
        notifica_send(comune=leporano, user=alice, consumatore=child, titolo=titolo, testo=testo, chiave=chiave,
                      pagamento=pagamento)
    with scope(comune=leporano):
        assert MessaggioIO.objects.get(notifica__chiave=chiave).stato == StatoMessaggioIO.INVIATO
    message = io.messages[-1]
    assert message_problems(message) == []
    content = message["content"]
    assert 10 <= len(content["subject"]) <= 120 and 80 <= len(content["markdown"]) <= 10_000
    return content


# (key, subject, a sentence of the model's text, with a child, payment data)
KINDS = [
    ("iscrizioni-aperte:2026", "Sono aperte le richieste per il servizio mensa per l'anno educativo 2026/2027",
     "È possibile richiedere il servizio mensa per l'anno educativo 2026/2027", False, None),
    ("domanda:1:inviata", "La tua richiesta è stata ricevuta",
     "La tua richiesta di iscrizione ai servizi scolastici per Leonardo Lacaita è stata ricevuta", True, None),
    ("domanda:1:in_istruttoria", "La tua richiesta è in esame", "per Leonardo Lacaita è in esame", True, None),
    ("domanda:1:accolta", "La tua richiesta è stata accolta",
     "La tua richiesta di iscrizione ai servizi scolastici per Leonardo Lacaita è stata accolta.", True, None),
    ("domanda:1:respinta", "La tua richiesta non è stata accolta",
     "per Leonardo Lacaita non è stata accolta.", True, None),
    ("dieta:7:accolta", "La tua richiesta è stata accolta",
     "La tua richiesta di dieta speciale per Leonardo Lacaita è stata accolta", True, None),
    ("dieta:7:respinta", "La tua richiesta non è stata accolta",
     "La tua richiesta di dieta speciale per Leonardo Lacaita non è stata accolta.", True, None),
    ("dieta:7:rinunciata", "La tua richiesta di rinuncia è stata accolta",
     "La tua richiesta di rinuncia alla dieta speciale per Leonardo Lacaita", True, None),
    ("agevolazioni:2026", "Richiedi agevolazioni sulla retta",
     "possono comunicare l'interesse a richiedere una retta agevolata o ridotta", False, None),
    ("avviso:9", "Hai un nuovo avviso di pagamento",
     "C'è un avviso da pagare intestato a Alice Lacaita e relativo al servizio mensa.\n\n"
     "**Devi pagare:** 1.234,56 €\n\n**Entro il:** 15/12/2026", False, AVVISO),
    ("sollecito:3", "Pagamenti insoluti – Messaggio del portale",
     "Risultano pagamenti insoluti a carico di Leonardo Lacaita e relativi al servizio mensa.", True, AVVISO),
    ("mensa:sospensione:5-2026-11-01", "L'iscrizione al servizio è bloccata da pagamenti insoluti",
     "Risultano pagamenti insoluti a carico di Leonardo Lacaita", True, None),
    ("mensa:debito:5-2026-11-01", "Risultano pagamenti insoluti per il servizio mensa",
     "Risultano pagamenti insoluti a carico di Leonardo Lacaita e relativi al servizio mensa.", True, None),
    ("mensa:credito:5-2026-11-01", "Hai un pagamento in scadenza",
     "Il pagamento relativo al servizio mensa per Leonardo Lacaita è in scadenza", True, None),
    ("pagamento:lis:42", "Conferma di pagamento",
     "è stato effettuato un pagamento sul tuo borsellino elettronico relativo al servizio mensa", True, None),
    ("variazione-menu:4:1", "Messaggio del portale",
     "Hai una nuova comunicazione sul servizio mensa per Leonardo Lacaita.", True, None),
]


@pytest.mark.parametrize(("chiave", "subject", "frase", "with_child", "pagamento"), KINDS,
                         ids=[k[0].split(":")[0] + ":" + k[0].split(":")[-1] for k in KINDS])
def test_each_event_gets_the_model_message(io, leporano, alice, alice_children, django_capture_on_commit_callbacks,
                                           chiave, subject, frase, with_child, pagamento):
    """Subjects and texts of mensa-scolastica.md (pagopa/devportal-docs), the portal's text quoted after."""
    content = sent(io, leporano, alice, django_capture_on_commit_callbacks, chiave=chiave,
                   titolo="Anno scolastico 2026/2027" if chiave.startswith("iscrizioni") else "Messaggio del portale",
                   child=alice_children[0] if with_child else None, pagamento=pagamento)
    assert content["subject"] == subject
    assert frase in content["markdown"]
    assert f"> {TESTO}" in content["markdown"]
    assert "portale dei servizi scolastici del Comune di Leporano" in content["markdown"]
    if pagamento:  # payment data as before the model
        assert content["payment_data"]["amount"] == 123456
        assert "Puoi pagare direttamente in app premendo “Paga”" in content["markdown"]
    else:
        assert "payment_data" not in content


def test_long_texts_stay_within_io_limits(io, leporano, alice, alice_children, django_capture_on_commit_callbacks):
    """mensa-scolastica.md (pagopa/devportal-docs) model, cut to IO's 120-character subject and 10,000 markdown."""
    content = sent(io, leporano, alice, django_capture_on_commit_callbacks, chiave="sollecito:8",
                   titolo="1° sollecito " + "x" * 150, testo=("riga lunga " * 40 + "\n") * 40,
                   child=alice_children[0], pagamento=AVVISO)
    assert len(content["subject"]) == 120 and content["subject"].endswith("…")
    assert len(content["markdown"]) <= 10_000


@pytest.mark.parametrize("chiave", ["", "k:1", "bench:1:2", "domanda:1:bozza", "mensa:altro:1"])
def test_a_key_outside_the_model_keeps_the_generic_message(io, leporano, alice, django_capture_on_commit_callbacks,
                                                           chiave):
    """Events that mensa-scolastica.md (pagopa/devportal-docs) does not name: today's generic content."""
    with scope(comune=leporano), django_capture_on_commit_callbacks(execute=True):
        notifica_send(comune=leporano, user=alice, titolo="Assenza registrata", testo=TESTO, chiave=chiave)
    [message] = io.messages
    assert message_problems(message) == []
    assert message["content"]["subject"] == "Refezione scolastica: Assenza registrata"
    assert message["content"]["markdown"].startswith(TESTO + "\n\n---\n\nMessaggio del **Comune di Leporano**")

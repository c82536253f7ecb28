"""On a tablet: the office opens the cruscotto (charts drawn server-side, no CSP violation), lists the
debtors and sends a 1° sollecito, following the job to its end, then prints the letter of the family
without e-mail."""

from decimal import Decimal

import pypdfium2
import pytest
from django.core import mail
from django_scopes import scope
from playwright.sync_api import expect

from tests.comuni.test_secondo_fattore import totp_now
from tests.conftest import PASSWORD
from tests.factories import ConsumatoreFactory, TutoreFactory
from tests.pagamenti.conftest import configure
from tests.ufficio.conftest import pasti
from ufficio.models import Sollecito

pytestmark = pytest.mark.browser


@pytest.fixture
def tablet(browser):
    context = browser.new_context(locale="it-IT", viewport={"width": 768, "height": 1024})
    page = context.new_page()
    page.set_default_timeout(30000)
    yield page
    context.close()


def test_the_office_reads_the_cruscotto_and_sends_a_reminder(live_server, tablet, leporano, bob, alice_children):
    configure(leporano)
    sofia = alice_children[1]
    pasti(sofia, 4)
    violations = []
    tablet.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    tablet.goto(f"{live_server.url}/login/leporano/?next=/leporano/ufficio/")
    tablet.get_by_label("Indirizzo e-mail").fill("bob@example.org")
    tablet.get_by_label("Password", exact=True).fill(PASSWORD)
    tablet.get_by_role("button", name="Accedi").click()
    tablet.locator("input[name=code]").fill(totp_now())
    tablet.locator("form button[type=submit]").first.click()
    tablet.wait_for_url("**/leporano/ufficio/")
    charts = tablet.locator("figure.grafico svg")
    expect(charts).to_have_count(3)
    box = charts.first.bounding_box()
    assert box["width"] <= 768 and box["width"] > 300  # scaled to the tablet, not cut off
    tablet.get_by_text("Dati del grafico: Debito per anzianità").click()
    expect(tablet.get_by_role("cell", name="16,40 €")).to_be_visible()

    # A family without e-mail falls into debt too (after the cruscotto's figures above).
    gaia = ConsumatoreFactory(comune=leporano, nome="Gaia", cognome="Fanelli")
    TutoreFactory(comune=leporano, consumatore=gaia, nome="Rosa", cognome="Fanelli", email="")
    pasti(gaia, 2)
    tablet.get_by_role("link", name="Morosi", exact=True).click()
    tablet.get_by_label("Seleziona Sofia Lacaita").check()
    tablet.get_by_label("Seleziona Gaia Fanelli").check()
    tablet.get_by_label("Livello").select_option("primo")
    tablet.get_by_role("button", name="Invia sollecito").click()
    tablet.get_by_text("Completato: 2 solleciti inviati").wait_for()
    expect(tablet.locator(".progress-bar")).to_have_attribute("aria-valuenow", "100")
    with scope(comune=leporano):
        sollecito = Sollecito.objects.get(consumatore=sofia)
    assert sollecito.debito == Decimal("16.40")
    assert [m.to for m in mail.outbox if "sollecito" in m.subject] == [["alice@example.org"]]

    # Gaia's family has no e-mail: her letter is prepared in the background, then offered for download.
    with tablet.expect_navigation():
        tablet.get_by_role("button", name="Stampa 1 lettera senza e-mail (PDF)").click()
    stampa = tablet.locator("#esportazione-stato")
    expect(stampa.locator(".progress-bar")).to_have_attribute("aria-valuenow", "100")
    with tablet.expect_download() as download:
        stampa.get_by_role("link", name="Scarica solleciti-da-stampare-").click()
    pdf = pypdfium2.PdfDocument(download.value.path())
    # The letter, then its avviso as the pagoPA national model on a page of its own.
    assert len(pdf) == 2 and "Gaia Fanelli" in pdf[0].get_textpage().get_text_range()
    assert "AVVISO DI PAGAMENTO" in pdf[1].get_textpage().get_text_range()
    expect(tablet.get_by_role("button", name="Stampa 1 lettera senza e-mail (PDF)")).to_have_count(0)
    tablet.get_by_role("link", name="Vai al registro dei solleciti").click()
    expect(tablet.get_by_role("cell", name="16,40 €")).to_be_visible()
    assert violations == []

"""A guardian the registry import recorded with a codice fiscale logs in with SPID (through the local test
identity provider, the real OIDC code flow) and lands on the imported children."""

from __future__ import annotations

import pytest

from attivazione.anagrafe.importa import anagrafe_importa
from tests.identita.conftest import Browser, browser, identita, idp  # noqa: F401 - the identity fixtures

from .conftest import CF_PAOLO

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_imported_guardian_logs_in_with_spid_and_sees_the_children(browser, identita, pronto, workbook):  # noqa: F811
    assert anagrafe_importa(comune=pronto, files=[("a.xlsx", workbook)], applica=True).applicato
    paolo = identita(codice_fiscale=CF_PAOLO, nome="Paolo", cognome="Caramia", email="paolo@spid.example")
    chooser = browser.press("spid")
    page = browser.follow(browser.choose_identity(chooser, paolo))
    assert page.status_code == 200 and page.url == browser.base + "/leporano/"
    assert "Giulia" in page.text and "Luca" in page.text
    assert "Anna" not in page.text  # Rosa's child, not his

"""Opening balances: dry-run preview listing every error by row and column, then one transaction."""

from decimal import Decimal

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from pagamenti.models import Movimento, TipoMovimento
from pagamenti.saldi_iniziali import (
    CONSUMATORE_SCONOSCIUTO_ERROR,
    SALDO_ERROR,
    SERVIZIO_ERROR,
    saldi_iniziali_apply,
    saldi_iniziali_parse,
)
from pagamenti.selectors import saldo
from tests.factories import cf_for

URL = "/admin/pagamenti/movimento/importa-saldi/"


def upload(client, text: str, name="saldi.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")})


def test_a_good_file_is_previewed_then_applied(client, bob, alice_children, leporano):
    sofia, leonardo = alice_children[1], alice_children[0]
    text = ("codice_fiscale;servizio;saldo\n"
            f"{sofia.codice_fiscale};mensa;12,50\n{leonardo.codice_fiscale};mensa;-8,20\n"
            f"{leonardo.codice_fiscale};trasporto;0\n")
    client.force_login(bob)
    preview = upload(client, text)
    assert preview.status_code == 200 and "2 saldi pronti da importare" in preview.content.decode()
    with scope(comune=leporano):
        assert not Movimento.objects.exists()  # the dry run writes nothing
    assert client.post(URL, {"applica": "1"}).status_code == 302
    with scope(comune=leporano):
        assert saldo(consumatore=sofia, servizio="mensa") == Decimal("12.50")
        assert saldo(consumatore=leonardo, servizio="mensa") == Decimal("-8.20")
        assert set(Movimento.objects.values_list("tipo", flat=True)) == {TipoMovimento.SALDO_INIZIALE}


def test_every_error_is_listed_and_nothing_is_applied(client, bob, alice_children, charlie_child, leporano):
    sofia = alice_children[1]
    unknown = cf_for("Nessuno", "Mario")
    text = ("codice_fiscale,servizio,saldo\n"
            f"{sofia.codice_fiscale},mensa,10.00\n"           # row 2: fine
            "RSSMRA80A01H501X,mensa,5\n"                       # row 3: bad check character
            f"{unknown},mensa,5\n"                             # row 4: unknown consumer
            f"{sofia.codice_fiscale},mensa,3\n"                # row 5: duplicate of row 2
            f"{sofia.codice_fiscale},piscina,1.001\n"          # row 6: service and amount
            f"{charlie_child.codice_fiscale},mensa,5\n")       # row 7: another comune's child
    client.force_login(bob)
    body = upload(client, text).content.decode()
    assert "errori: nessun saldo sarà importato" in body
    with scope(comune=leporano):
        anteprima = saldi_iniziali_parse(comune=leporano, content=text.encode(), filename="x.csv")
    errors = {(e.riga, e.colonna) for e in anteprima.errori}
    assert errors == {(3, "codice_fiscale"), (4, "codice_fiscale"), (5, "codice_fiscale"), (6, "servizio"),
                      (6, "saldo"), (7, "codice_fiscale")}
    messages = {(e.riga, e.colonna): e.messaggio for e in anteprima.errori}
    assert messages[(4, "codice_fiscale")] == str(CONSUMATORE_SCONOSCIUTO_ERROR)
    assert messages[(6, "servizio")] == str(SERVIZIO_ERROR) and messages[(6, "saldo")] == str(SALDO_ERROR)
    assert "riga 2" in messages[(5, "codice_fiscale")]
    assert client.post(URL, {"applica": "1"}).status_code == 302  # nothing stored to apply
    with scope(comune=leporano):
        assert not Movimento.objects.exists()
        with pytest.raises(ValidationError):
            saldi_iniziali_apply(comune=leporano, anteprima=anteprima, creato_da=bob)
        assert not Movimento.objects.exists()


def test_an_xlsx_file_works_and_a_second_import_is_refused(bob, alice_children, leporano):
    dataset = tablib.Dataset(headers=["codice_fiscale", "servizio", "saldo"])
    dataset.append([alice_children[0].codice_fiscale, "mensa", "20.00"])
    content = dataset.export("xlsx")
    with scope(comune=leporano):
        anteprima = saldi_iniziali_parse(comune=leporano, content=content, filename="saldi.xlsx")
        assert anteprima.valida
        assert saldi_iniziali_apply(comune=leporano, anteprima=anteprima, creato_da=bob) == 1
        again = saldi_iniziali_parse(comune=leporano, content=content, filename="saldi.xlsx")
        assert [(e.riga, e.colonna) for e in again.errori] == [(2, "codice_fiscale")]


def test_a_file_without_the_columns_names_them(bob, leporano):
    with scope(comune=leporano):
        anteprima = saldi_iniziali_parse(comune=leporano, content=b"cf,importo\nX,1\n", filename="x.csv")
    assert {e.colonna for e in anteprima.errori} == {"codice_fiscale", "servizio", "saldo"}


def test_another_comunes_staff_cannot_import_onto_our_children(client, dora, alice_children, leporano, pulsano):
    client.force_login(dora)
    text = f"codice_fiscale,servizio,saldo\n{alice_children[0].codice_fiscale},mensa,50.00\n"
    body = upload(client, text).content.decode()
    assert "1 errore: nessun saldo sarà importato" in body
    assert client.post(URL, {"applica": "1"}).status_code == 302
    with scope(comune=leporano):
        assert not Movimento.objects.exists()

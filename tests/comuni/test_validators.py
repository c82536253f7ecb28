import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from comuni.validators import validate_codice_fiscale, validate_codice_fiscale_ente
from consumatori.models import Consumatore
from tests.factories import cf_for


def test_a_valid_codice_fiscale_passes():
    validate_codice_fiscale(cf_for("Lacaita", "Sofia", "F"))


def test_an_omocode_codice_fiscale_passes():
    # The Agenzia delle Entrate replaces digits with letters for people who share a code.
    validate_codice_fiscale("MRNGLI18C44L04VV")


@pytest.mark.parametrize("value", ["MRNGLI18C44L049", "MRNGLI18C44L049GX", "1234567890123456", "MRN GLI"])
def test_a_malformed_codice_fiscale_is_rejected_naming_it(value):
    with pytest.raises(ValidationError) as error:
        validate_codice_fiscale(value)
    assert error.value.code == "cf_format"
    assert value in error.value.messages[0]
    assert "formato non valido" in error.value.messages[0]


def test_a_wrong_check_character_is_rejected_naming_it():
    good = cf_for("Lacaita", "Sofia", "F")
    wrong = good[:15] + ("A" if good[15] != "A" else "B")
    with pytest.raises(ValidationError) as error:
        validate_codice_fiscale(wrong)
    assert error.value.code == "cf_check"
    assert wrong in error.value.messages[0]
    assert "carattere di controllo" in error.value.messages[0]


@pytest.mark.parametrize("value", ["80009290738", "8000929073", "abcdefghijk", "00000000000"])
def test_a_bad_fiscal_code_of_the_comune_is_rejected(value):
    with pytest.raises(ValidationError) as error:
        validate_codice_fiscale_ente(value)
    assert "11 cifre" in error.value.messages[0]


def test_the_consumer_form_names_the_field(leporano):
    from django.forms import modelform_factory

    form_class = modelform_factory(Consumatore, fields=["nome", "cognome", "codice_fiscale", "data_nascita"])
    with scope(comune=leporano):
        form = form_class(
            data={"nome": "Sofia", "cognome": "Lacaita", "codice_fiscale": "LCTSFO18C44L049Z",
                  "data_nascita": "2018-03-04"},
            instance=Consumatore(comune=leporano),
        )
        assert not form.is_valid()
    assert "carattere di controllo" in form.errors["codice_fiscale"][0]

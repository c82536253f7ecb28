"""Notice numbers: aux digit 3, segregation code, mod-93 check digits, never reused nor guessable."""

import pytest
from django_scopes import scope

from pagamenti.pagopa.numero_avviso import (
    check_digits,
    is_valid_notice_number,
    iuv_of,
    notice_number,
    notice_number_next,
)


def test_the_example_of_the_specification():
    assert check_digits("3020000000000001") == "84"
    numero = notice_number(codice_segregazione="02", iuv_base="0000000000001")
    assert numero == "302000000000000184"
    assert iuv_of(numero) == "02000000000000184"
    assert is_valid_notice_number(numero)


def test_check_digits_are_zero_padded():
    # 3020000000000093 mod 93 == 0 -> "00"
    base = next(n for n in range(1, 200) if int(f"302{n:013d}") % 93 < 10)
    numero = notice_number(codice_segregazione="02", iuv_base=f"{base:013d}")
    assert len(numero) == 18 and numero[-2] == "0"


@pytest.mark.parametrize("bad", ["30200000000000018", "302000000000000185", "202000000000000184", "x" * 18])
def test_a_wrong_notice_number_is_recognised(bad):
    assert not is_valid_notice_number(bad)


def test_the_sequence_never_repeats_and_is_not_guessable(config_leporano, leporano):
    with scope(comune=leporano):
        numbers = [notice_number_next(comune_id=leporano.pk) for _ in range(50)]
    assert len(set(numbers)) == 50
    assert all(is_valid_notice_number(n) and n[1:3] == "02" for n in numbers)
    # Consecutive numbers differ in their random tail: knowing one does not give the next.
    tails = {n[11:16] for n in numbers}
    assert len(tails) > 40
    progressives = [int(n[3:11]) for n in numbers]
    assert progressives == sorted(progressives) == list(range(progressives[0], progressives[0] + 50))


def test_each_comune_has_its_own_segregation_code(config_leporano, pulsano):
    from .conftest import configure

    configure(pulsano, codice_segregazione="07")
    with scope(comune=pulsano):
        assert notice_number_next(comune_id=pulsano.pk)[1:3] == "07"

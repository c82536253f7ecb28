"""Notice numbers (numero avviso / codice avviso), aux digit 3, as in the pagoPA specification.

`3` + segregation code (2) + IUV base (13) + check digits (2); the check digits are the first 16
digits taken as an integer, mod 93, zero-padded. The IUV base is a per-comune progressive (never
reused) followed by random digits, so a family cannot guess another family's notice from its own.
"""

from __future__ import annotations

import re
import secrets

from django.db.models import F

AUX_DIGIT = "3"
PROGRESSIVE_DIGITS = 8
RANDOM_DIGITS = 5
_NOTICE = re.compile(r"^\d{18}$")


def check_digits(first_16: str) -> str:
    """The two check digits of a notice number: int(first 16 digits) mod 93."""
    if not re.fullmatch(r"\d{16}", first_16):
        raise ValueError("16 digits expected")
    return f"{int(first_16) % 93:02d}"


def notice_number(*, codice_segregazione: str, iuv_base: str) -> str:
    """The 18-digit notice number for aux digit 3."""
    if not re.fullmatch(r"\d{2}", codice_segregazione) or not re.fullmatch(r"\d{13}", iuv_base):
        raise ValueError("2-digit segregation code and 13-digit IUV base expected")
    first_16 = AUX_DIGIT + codice_segregazione + iuv_base
    return first_16 + check_digits(first_16)


def iuv_of(numero_avviso: str) -> str:
    """The IUV (17 digits) inside an aux-3 notice number: everything after the aux digit."""
    return numero_avviso[1:]


def is_valid_notice_number(value: str) -> bool:
    return bool(_NOTICE.match(value or "")) and value[0] == AUX_DIGIT and check_digits(value[:16]) == value[16:]


def notice_number_next(*, comune_id: int) -> str:
    """A new notice number for the comune: progressive from a locked counter, plus random digits."""
    from pagamenti.models import ConfigurazionePagamenti

    # UPDATE ... SET n = n + 1 RETURNING: the row lock serialises concurrent checkouts.
    config = ConfigurazionePagamenti.objects.filter(comune_id=comune_id)
    config.update(ultimo_progressivo=F("ultimo_progressivo") + 1)
    row = config.values_list("codice_segregazione", "ultimo_progressivo").get()
    codice_segregazione, progressivo = row
    if progressivo >= 10**PROGRESSIVE_DIGITS:
        raise OverflowError("notice numbers exhausted for this segregation code")
    random_part = "".join(secrets.choice("0123456789") for _ in range(RANDOM_DIGITS))
    return notice_number(
        codice_segregazione=codice_segregazione, iuv_base=f"{progressivo:0{PROGRESSIVE_DIGITS}d}{random_part}"
    )

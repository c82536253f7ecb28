"""Validators for Italian identifiers, delegated to maintained libraries.

Personal codici fiscali (16 characters, omocodia included) are checked with python-codicefiscale;
the 11-digit fiscal code of a public body uses the partita IVA check digit, checked with python-stdnum.
"""

from __future__ import annotations

import re

from codicefiscale import codicefiscale
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import iva

CF_FORMAT_ERROR = _("Codice fiscale %(value)s: formato non valido (servono 16 caratteri, lettere e cifre).")
CF_CHECK_ERROR = _("Codice fiscale %(value)s: il carattere di controllo non corrisponde, verificare il codice.")
CF_ENTE_ERROR = _("Codice fiscale dell'ente %(value)s non valido: servono 11 cifre con la cifra di controllo corretta.")

# Letters stand for digits in the positions where omocodia may replace them (LMNPQRSTUV).
_CF_SHAPE = re.compile(r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$")


def normalize_codice_fiscale(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_codice_fiscale(value: str) -> None:
    code = normalize_codice_fiscale(value)
    if not _CF_SHAPE.match(code):
        raise ValidationError(CF_FORMAT_ERROR, code="cf_format", params={"value": value})
    if not codicefiscale.is_valid(code):
        raise ValidationError(CF_CHECK_ERROR, code="cf_check", params={"value": value})


def validate_codice_fiscale_ente(value: str) -> None:
    try:
        iva.validate(value)
    except StdnumError:
        raise ValidationError(CF_ENTE_ERROR, code="cf_ente", params={"value": value}) from None

"""Reading the SPID/CIE claims the gateway sends."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from comuni.validators import normalize_codice_fiscale, validate_codice_fiscale

# SPID's fiscalNumber carries the TIN prefix: TINIT-RSSMRA80A01H501U.
FISCAL_NUMBER_PREFIX = "TINIT-"


def claims_of(extra_data: dict) -> dict:
    """Userinfo if the gateway sent it, else the ID token's claims."""
    return extra_data.get("userinfo") or extra_data.get("id_token") or extra_data


def codice_fiscale_from_claims(claims: dict) -> str | None:
    """The person's codice fiscale from `fiscal_number` (or `fiscalNumber`), or None if unusable."""
    raw = claims.get("fiscal_number") or claims.get("fiscalNumber") or ""
    code = normalize_codice_fiscale(raw)
    if code.startswith(FISCAL_NUMBER_PREFIX):
        code = code[len(FISCAL_NUMBER_PREFIX):]
    try:
        validate_codice_fiscale(code)
    except ValidationError:
        return None
    return code

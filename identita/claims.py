"""Reading the SPID/CIE claims the gateway sends."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from comuni.validators import normalize_codice_fiscale, validate_codice_fiscale

# SPID's fiscalNumber carries the TIN prefix: TINIT-RSSMRA80A01H501U.
FISCAL_NUMBER_PREFIX = "TINIT-"
# The SPID/CIE OpenID Connect federation's name for it (italia/spid-cie-oidc-docs, attributi_utente.rst);
# gateways may pass it through or map it to a short name: accept each.
FISCAL_NUMBER_CLAIM = "https://attributes.eid.gov.it/fiscal_number"
FISCAL_NUMBER_CLAIMS = (FISCAL_NUMBER_CLAIM, "fiscal_number", "fiscalNumber")

# The `claims` parameter of the authorization request: what we need, asked for in userinfo and ID token.
REQUESTED_CLAIMS = {
    "userinfo": {
        FISCAL_NUMBER_CLAIM: {"essential": True},
        "given_name": {"essential": True},
        "family_name": {"essential": True},
        "email": None,
    },
    "id_token": {FISCAL_NUMBER_CLAIM: {"essential": True}},
}


def claims_of(extra_data: dict) -> dict:
    """The person's claims: the ID token's, completed (and overridden) by userinfo when the gateway sent it."""
    userinfo = extra_data.get("userinfo")
    id_token = extra_data.get("id_token")
    if isinstance(userinfo, dict) or isinstance(id_token, dict):
        return {**(id_token if isinstance(id_token, dict) else {}),
                **(userinfo if isinstance(userinfo, dict) else {})}
    return extra_data


def codice_fiscale_from_claims(claims: dict) -> str | None:
    """The person's codice fiscale from the official claim or a short one (`TINIT-` prefix optional),
    or None if unusable."""
    raw = next((claims[name] for name in FISCAL_NUMBER_CLAIMS if isinstance(claims.get(name), str)), "")
    code = normalize_codice_fiscale(raw)
    if code.startswith(FISCAL_NUMBER_PREFIX):
        code = code[len(FISCAL_NUMBER_PREFIX):]
    try:
        validate_codice_fiscale(code)
    except ValidationError:
        return None
    return code

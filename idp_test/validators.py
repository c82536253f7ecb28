from __future__ import annotations

from oauth2_provider.oauth2_validators import OAuth2Validator


class IdentitaTestValidator(OAuth2Validator):
    """Claims like a SPID/CIE gateway: names, e-mail (if the identity has one) and the codice fiscale
    (TINIT-<codice fiscale>) under the federation's official name or a gateway's short one."""

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "fiscal_number": "profile",
        "fiscalNumber": "profile",
        "https://attributes.eid.gov.it/fiscal_number": "profile",
    }

    def get_additional_claims(self, request) -> dict:
        identita = getattr(request.user, "identita_di_prova", None)
        return identita.claims() if identita is not None else {}

"""SPID and CIE through the comune's identity gateway, as an OpenID Connect provider of allauth.

allauth's generic OIDC client sends no `nonce` and trusts the TLS channel for the ID token; for
SPID/CIE we add a per-login nonce and verify the ID token's signature, issuer, audience and nonce.
"""

from __future__ import annotations

import json
import secrets

from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.http import HttpRequest

from .claims import REQUESTED_CLAIMS
from .views import NONCE_SESSION_KEY, SpidCieOAuth2Adapter


class SpidCieProvider(OpenIDConnectProvider):
    id = "spidcie"
    name = "SPID/CIE"
    oauth2_adapter_class = SpidCieOAuth2Adapter

    def get_auth_params_from_request(self, request: HttpRequest, action) -> dict:
        params = super().get_auth_params_from_request(request, action)
        nonce = secrets.token_urlsafe(32)
        request.session[NONCE_SESSION_KEY] = nonce
        params["nonce"] = nonce
        # SPID/CIE relying parties ask for the attributes they need with the `claims` parameter.
        params["claims"] = json.dumps(REQUESTED_CLAIMS, separators=(",", ":"))
        return params

    def extract_common_fields(self, data: dict) -> dict:
        fields = super().extract_common_fields(data)
        fields.pop("username", None)
        return fields


provider_classes = [SpidCieProvider]

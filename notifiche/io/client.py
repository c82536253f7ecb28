"""Client of App IO's Services API (teamdigitale/io-functions-services, openapi/index.yaml):
`GET /profiles/{fiscal_code}` (is the citizen on IO, `sender_allowed`) and `POST /messages` with the
fiscal code in the body; every call carries the service's key in `Ocp-Apim-Subscription-Key`."""

from __future__ import annotations

import httpx
from django.conf import settings


class IOError_(Exception):
    """Base of the answers that stop a send."""


class IOTransient(IOError_):
    """429, 5xx, timeout, connection refused: try again later."""


class IOKeyRefused(IOError_):
    """401/403 on the key: revoked or wrong; staff must enter a new one."""


class IOBadRequest(IOError_):
    """400: our message broke a rule of IO's; retrying will not help."""


def _client(api_key: str) -> httpx.Client:
    return httpx.Client(base_url=settings.APP_IO_BASE_URL, timeout=settings.APP_IO_TIMEOUT_SECONDS,
                        headers={"Ocp-Apim-Subscription-Key": api_key, "Accept": "application/json"})


def _raise_for(response: httpx.Response) -> None:
    if response.status_code == 429 or response.status_code >= 500:
        raise IOTransient(f"HTTP {response.status_code}")
    if response.status_code in (401, 403):
        raise IOKeyRefused(f"HTTP {response.status_code}")
    if response.status_code == 400:
        raise IOBadRequest(response.text[:200])


def sender_allowed(*, api_key: str, fiscal_code: str) -> bool | None:
    """True/False from the citizen's profile; None when the citizen is not on IO (404)."""
    try:
        with _client(api_key) as client:
            response = client.get(f"/profiles/{fiscal_code}")
    except httpx.HTTPError as exc:
        raise IOTransient(str(exc)) from exc
    if response.status_code == 404:
        return None
    _raise_for(response)
    if response.status_code != 200:
        raise IOTransient(f"HTTP {response.status_code}")
    return bool(response.json().get("sender_allowed"))


def message_submit(*, api_key: str, fiscal_code: str, content: dict, time_to_live: int = 604800) -> str:
    """POST /messages; the id IO gave the message (201)."""
    body = {"fiscal_code": fiscal_code, "time_to_live": time_to_live, "content": content}
    try:
        with _client(api_key) as client:
            response = client.post("/messages", json=body)
    except httpx.HTTPError as exc:
        raise IOTransient(str(exc)) from exc
    _raise_for(response)
    if response.status_code != 201:
        raise IOTransient(f"HTTP {response.status_code}")
    return str(response.json().get("id", ""))

"""The pagoPA gateway interface and its two implementations, chosen per comune.

`GpdGateway` speaks the GPD REST API (create/publish a debt position, read its status and receipt);
`SandboxGateway` does the same inside the project for development and demos. Both hand receipts to
`pagamenti.pagopa.services.ricevuta_receive`, the one path that credits the ledger.
"""

from __future__ import annotations

import datetime
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from omnibus.dates import data_in_range
from pagamenti.models import ConfigurazionePagamenti, Posizione, TipoGateway

GPD_TIMEOUT_SECONDS = 5
GPD_ATTEMPTS = 2


class GatewayError(Exception):
    """The gateway did not answer or answered an error: the position stays pending and is retried."""


@dataclass(frozen=True)
class RicevutaGateway:
    identificativo: str
    numero_avviso: str
    importo: Decimal
    psp: str
    pagata_il: datetime.datetime


class Gateway(Protocol):
    def publish(self, posizione: Posizione) -> None: ...

    def receipt(self, posizione: Posizione) -> RicevutaGateway | None: ...

    def checkout_url(self, posizione: Posizione, return_url: str) -> str: ...


class SandboxGateway:
    """Publishes locally; the local checkout page and the staff action produce the receipts."""

    origine = "sandbox"

    def publish(self, posizione: Posizione) -> None:
        return None

    def receipt(self, posizione: Posizione) -> RicevutaGateway | None:
        return None  # the sandbox pushes its receipts when someone pays

    def checkout_url(self, posizione: Posizione, return_url: str = "") -> str:
        return reverse("pagamenti:sandbox_checkout", kwargs={"comune": posizione.comune.slug,
                                                             "token": posizione.token})

    def simulated_receipt(self, posizione: Posizione, psp: str) -> RicevutaGateway:
        return RicevutaGateway(
            identificativo=f"SANDBOX-{posizione.numero_avviso}", numero_avviso=posizione.numero_avviso,
            importo=posizione.importo, psp=psp, pagata_il=timezone.now(),
        )


class GpdGateway:
    """Client of the GPD REST API (pagopa-api openapi/gpd.json), authenticated by subscription key."""

    origine = "gpd"

    def __init__(self, config: ConfigurazionePagamenti, timeout: float | None = None):
        self.config = config
        self.base = config.gpd_url.rstrip("/")
        self.timeout = timeout or GPD_TIMEOUT_SECONDS

    def _request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        last_error: Exception | None = None
        for attempt in range(GPD_ATTEMPTS):
            request = urllib.request.Request(  # noqa: S310 - the base URL is an https URL set by staff
                f"{self.base}{path}", data=data, method=method,
                headers={"Ocp-Apim-Subscription-Key": self.config.gpd_api_key,
                         "Content-Type": "application/json", "Accept": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    payload = response.read()
                    return response.status, json.loads(payload) if payload else {}
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    payload = error.read()
                    try:
                        return error.code, json.loads(payload) if payload else {}
                    except ValueError:
                        return error.code, {}
                last_error = error
            except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
                last_error = error
            if attempt + 1 < GPD_ATTEMPTS:
                time.sleep(0.2 * (attempt + 1))
        raise GatewayError(f"GPD {method} {path}: {last_error}")

    def _organization(self) -> str:
        return f"/organizations/{self.config.comune.codice_fiscale}"

    def publish(self, posizione: Posizione) -> None:
        righe = list(posizione.righe.select_related("consumatore"))
        payer = posizione.utente
        body = {
            "iupd": f"{posizione.comune.codice_fiscale}-{posizione.iuv}",
            "type": "F",
            "fiscalCode": payer.codice_fiscale or "ANONIMO",
            "fullName": payer.get_full_name() or payer.email,
            "email": payer.email,
            "paymentOption": [{
                "iuv": posizione.iuv,
                "nav": posizione.numero_avviso,
                "amount": posizione.centesimi,
                "description": "Ricarica servizi scolastici",
                "isPartialPayment": False,
                "dueDate": datetime.datetime.combine(posizione.scadenza, datetime.time(23, 59)).isoformat(),
                "transfer": [{
                    "idTransfer": str(n + 1),
                    "amount": int(riga.importo * 100),
                    "organizationFiscalCode": posizione.comune.codice_fiscale,
                    "remittanceInformation": f"Ricarica {riga.get_servizio_display()} {riga.consumatore}"[:140],
                    "category": self.config.tassonomia(riga.servizio),
                    "iban": self.config.iban,
                } for n, riga in enumerate(righe)],
            }],
        }
        status, _payload = self._request("POST", f"{self._organization()}/debtpositions?toPublish=true", body)
        # 409: the position exists already (a retry after a lost answer): it is published.
        if status not in (200, 201, 409):
            raise GatewayError(f"GPD refused the position: HTTP {status}")

    def receipt(self, posizione: Posizione) -> RicevutaGateway | None:
        status, payload = self._request("GET", f"{self._organization()}/paymentoptions/{posizione.numero_avviso}")
        if status == 404:
            return None
        if status != 200:
            raise GatewayError(f"GPD status read failed: HTTP {status}")
        if not isinstance(payload, dict):
            raise GatewayError(f"GPD answered a body that is not an object: {str(payload)[:100]}")
        if payload.get("status") not in ("PO_PAID", "PO_REPORTED"):
            return None
        return _receipt_of(posizione, payload)

    def checkout_url(self, posizione: Posizione, return_url: str = "") -> str:
        """pagoPA Checkout "carts": it answers 302 to the page where the family pays the notice."""
        body = {
            "paymentNotices": [{
                "noticeNumber": posizione.numero_avviso, "fiscalCode": posizione.comune.codice_fiscale,
                "amount": posizione.centesimi, "companyName": str(posizione.comune)[:140],
                "description": "Ricarica servizi scolastici",
            }],
            "returnUrls": {"returnOkUrl": return_url, "returnCancelUrl": return_url, "returnErrorUrl": return_url},
            "emailNotice": posizione.utente.email,
        }
        request = urllib.request.Request(  # noqa: S310 - https URL set by the platform administrator
            f"{self.config.checkout_url.rstrip('/')}/carts", data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=self.timeout) as response:
                location = response.headers.get("Location")
        except urllib.error.HTTPError as error:
            location = error.headers.get("Location") if error.code in (301, 302, 303) else None
            if location is None:
                raise GatewayError(f"pagoPA Checkout: HTTP {error.code}") from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise GatewayError(f"pagoPA Checkout: {error}") from error
        if not location:
            raise GatewayError("pagoPA Checkout gave no redirect")
        return location


MAX_CENTS = 9_999_999_999  # the ledger's NUMERIC(12, 2)


def _receipt_of(posizione: Posizione, payload: dict) -> RicevutaGateway:
    """A paid option's receipt; a field GPD should never send malformed is a GatewayError, retried later."""
    try:
        cents = payload.get("amount", 0)
        if isinstance(cents, bool) or not isinstance(cents, int | str) or not 0 <= int(cents) <= MAX_CENTS:
            raise ValueError(f"amount {cents!r}")
        identificativo = str(payload.get("idReceipt") or f"GPD-{posizione.numero_avviso}")
        psp = str(payload.get("pspCompany") or "")
        paid_at = parse_datetime(str(payload.get("paymentDate") or "")) or timezone.now()
        if timezone.is_naive(paid_at):
            paid_at = timezone.make_aware(paid_at)
        if len(identificativo) > 100 or "\x00" in identificativo + psp or not data_in_range(paid_at.date()):
            raise ValueError("idReceipt, pspCompany or paymentDate")
    except (ValueError, TypeError, OverflowError) as error:
        raise GatewayError(f"GPD receipt of {posizione.numero_avviso} is malformed: {error}") from error
    return RicevutaGateway(identificativo=identificativo, numero_avviso=posizione.numero_avviso,
                           importo=(Decimal(int(cents)) / 100).quantize(Decimal("0.01")), psp=psp, pagata_il=paid_at)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def gateway_for(config: ConfigurazionePagamenti) -> SandboxGateway | GpdGateway:
    """The gateway of a comune; the sandbox is refused outright in production."""
    if config.gateway == TipoGateway.GPD:
        return GpdGateway(config)
    if getattr(settings, "PRODUCTION", False):
        raise GatewayError("the pagoPA sandbox is disabled in production")
    return SandboxGateway()

"""Client of pagoPA's GPD (Gestione Posizioni Debitorie) and Checkout, as their official OpenAPI say.

Facts (pagopa/pagopa-api, folder openapi/):
- gpd.json, Debt Position service v1: `POST /organizations/{fc}/debtpositions?toPublish=true` with a
  PaymentPositionModel (required iupd, type F|G, fiscalCode, fullName, companyName, switchToExpired; each
  paymentOption iuv, amount in cents, description ≤ 140, isPartialPayment, dueDate date-time; each transfer
  idTransfer "1".."5", amount, remittanceInformation ≤ 140, category); 201 created, 409 duplicate,
  400 ProblemJson. `GET …/debtpositions/{iupd}` answers the position with its `status` and the options'
  `status`, `idReceipt`, `pspCompany`, `paymentDate`; 404 unknown. `POST …/{iupd}/invalidate`.
  The subscription key travels in `Ocp-Apim-Subscription-Key`; every answer carries `X-Request-Id`.
- gpd_payments.json, Payments receipts service: `GET /payments/{fc}/receipts/{iuv}`, the receipt as XML.
- checkout_v2.json: `POST /carts` (paymentNotices 1..5 with noticeNumber, fiscalCode, amount, companyName,
  description; returnUrls with returnOkUrl, returnCancelUrl, returnErrorUrl, returnWaitingUrl) → 302.
"""

from __future__ import annotations

import datetime
import logging
import time
import uuid
from collections import OrderedDict
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
from django.core.cache import cache
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from omnibus.dates import data_in_range
from pagamenti.models import ConfigurazionePagamenti, Posizione

from .gateway import EsitoRemoto, GatewayError, GatewayPaused, PosizioneNonAnnullabile, RicevutaGateway, StatoRemoto

logger = logging.getLogger("omnibus.pagopa")

ROME = ZoneInfo("Europe/Rome")
GPD_TIMEOUT_SECONDS = 5.0
GPD_ATTEMPTS = 3  # 5xx and time-outs; connection failures are retried by the transport too
GPD_CONNECT_RETRIES = 2
# A call made while someone waits (gateway_for(interactive=True)) is tried once. When pagoPA's host did not
# answer one (time-out, connection failure), the interactive calls of the next PAUSE_SECONDS to that host are
# not made: those families get the avviso at once instead of each holding one of the server's few processes
# for the time-out. The background tasks keep calling, with their retries; their first answer ends the pause.
PAUSE_SECONDS = 60
MAX_TRANSFERS = 5  # TransferModel.idTransfer is an enum "1".."5"
TEXT_MAX = 140

PAID_OPTION_STATES = {"PO_PAID", "PO_PARTIALLY_REPORTED", "PO_REPORTED"}
PAID_POSITION_STATES = {"PAID", "REPORTED"}
PAYABLE_POSITION_STATES = {"PUBLISHED", "VALID"}


def gpd_datetime(value: str | None) -> datetime.datetime | None:
    """A GPD `date-time`: with its offset as the contract says, or – seen in practice – without, read as Rome time."""
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except (ValueError, OverflowError):
        return None
    if parsed is None:
        return None
    if not data_in_range(parsed.date()):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ROME)
    return parsed


class GpdGateway:
    """GPD for the positions, pagoPA Checkout for online payment; authenticated by subscription key."""

    origine = "gpd"

    def __init__(self, config: ConfigurazionePagamenti, timeout: float | None = None, *, interactive: bool = False):
        self.config = config
        self.base = config.gpd_url.rstrip("/")
        self.timeout = timeout or GPD_TIMEOUT_SECONDS
        self.interactive = interactive
        self.attempts = 1 if interactive else GPD_ATTEMPTS

    # -- HTTP ---------------------------------------------------------------------------------------------

    def _client(self, *, api_key: bool = True, follow_redirects: bool = False) -> httpx.Client:
        headers = {"Accept": "application/json"}
        if api_key:
            headers["Ocp-Apim-Subscription-Key"] = self.config.gpd_api_key
        return httpx.Client(
            timeout=httpx.Timeout(self.timeout), headers=headers, follow_redirects=follow_redirects,
            transport=httpx.HTTPTransport(retries=0 if self.interactive else GPD_CONNECT_RETRIES),
        )

    def _send(self, method: str, url: str, *, json: dict | None = None, api_key: bool = True) -> httpx.Response:
        """One call, retried on 5xx and time-outs (every call we make is idempotent); logs X-Request-Id.
        Interactive: one try, none while the host is paused (PAUSE_SECONDS)."""
        pause = _pause_key(url)
        if self.interactive and (since := cache.get(pause)):
            raise GatewayPaused(f"GPD {method} {_path_of(url)}: not called, pagoPA did not answer at {since}")
        last, unanswered = "", False
        with self._client(api_key=api_key) as client:
            for attempt in range(self.attempts):
                ours = str(uuid.uuid4())
                started = time.monotonic()
                try:
                    response = client.request(method, url, json=json, headers={"X-Request-Id": ours})
                except httpx.HTTPError as error:
                    last, unanswered = f"{type(error).__name__}: {error}", True
                    logger.warning("pagoPA %s %s failed: %s (our X-Request-Id %s)", method, url, last, ours)
                else:
                    logger.info(
                        "pagoPA %s %s → %s in %.0f ms (X-Request-Id %s, ours %s)", method, url, response.status_code,
                        (time.monotonic() - started) * 1000, response.headers.get("X-Request-Id", "-"), ours,
                    )
                    cache.delete(pause)  # it answers
                    if response.status_code < 500:
                        return response
                    last, unanswered = f"HTTP {response.status_code} {_problem(response)}", False
                if attempt + 1 < self.attempts:
                    time.sleep(0.2 * (attempt + 1))
        if unanswered:
            cache.set(pause, timezone.localtime().strftime("%H:%M:%S"), PAUSE_SECONDS)
        raise GatewayError(f"GPD {method} {_path_of(url)}: {last}")

    def _organization(self) -> str:
        return f"{self.base}/organizations/{self.config.comune.codice_fiscale}"

    def _position_url(self, posizione: Posizione) -> str:
        return f"{self._organization()}/debtpositions/{iupd_of(posizione)}"

    # -- operations -----------------------------------------------------------------------------------------

    def publish(self, posizione: Posizione) -> None:
        """Create and publish the position; a 409 (already there after a lost answer) counts as published."""
        response = self._send("POST", f"{self._organization()}/debtpositions?toPublish=true",
                              json=position_body(posizione, self.config))
        if response.status_code in (200, 201, 409):
            return
        raise GatewayError(f"GPD refused the position: HTTP {response.status_code} {_problem(response)}")

    def state(self, posizione: Posizione) -> StatoRemoto:
        """Read the position (`GET …/debtpositions/{iupd}`) and say what it means for us."""
        response = self._send("GET", self._position_url(posizione))
        if response.status_code == 404:
            return StatoRemoto(EsitoRemoto.NON_PUBBLICATA, "NOT_FOUND")
        if response.status_code != 200:
            raise GatewayError(f"GPD state read failed: HTTP {response.status_code} {_problem(response)}")
        try:
            payload = response.json()
        except ValueError as error:
            raise GatewayError("GPD state read: the answer is not JSON") from error
        if not isinstance(payload, dict):
            raise GatewayError(f"GPD state read: the answer is not an object: {str(payload)[:100]}")
        return state_of(payload, posizione)

    def invalidate(self, posizione: Posizione) -> None:
        """`POST …/{iupd}/invalidate`: the notice can no longer be paid at any PSP. 404: GPD never had it."""
        response = self._send("POST", f"{self._position_url(posizione)}/invalidate")
        if response.status_code in (200, 404):
            return
        if response.status_code == 409:
            raise PosizioneNonAnnullabile(f"GPD cannot invalidate the position: {_problem(response)}")
        raise GatewayError(f"GPD invalidate failed: HTTP {response.status_code} {_problem(response)}")

    def receipt_xml(self, posizione: Posizione) -> str:
        """The receipt document (`GET /payments/{fc}/receipts/{iuv}`), when the receipts service is configured."""
        base = self.config.gpd_ricevute_url.rstrip("/")
        if not base:
            return ""
        response = self._send("GET", f"{base}/payments/{self.config.comune.codice_fiscale}/receipts/{posizione.iuv}")
        if response.status_code == 200:
            return response.text
        if response.status_code == 404:
            return ""
        raise GatewayError(f"GPD receipt read failed: HTTP {response.status_code}")

    def checkout_url(self, posizione: Posizione, return_url: str = "", cancel_url: str = "") -> str:
        """pagoPA Checkout "carts": it answers 302 to the page where the family pays the notice."""
        body = {
            "paymentNotices": [{
                "noticeNumber": posizione.numero_avviso, "fiscalCode": posizione.comune.codice_fiscale,
                "amount": posizione.centesimi, "companyName": str(posizione.comune)[:TEXT_MAX],
                "description": DESCRIZIONE_RICARICA,
            }],
            "returnUrls": {"returnOkUrl": return_url, "returnCancelUrl": cancel_url or return_url,
                           "returnErrorUrl": return_url, "returnWaitingUrl": return_url},
        }
        if posizione.utente.email:
            body["emailNotice"] = posizione.utente.email
        url = f"{self.config.checkout_url.rstrip('/')}/carts"
        response = self._send("POST", url, json=body, api_key=False)
        if response.status_code in (301, 302, 303) and response.headers.get("Location"):
            return response.headers["Location"]
        raise GatewayError(f"pagoPA Checkout: HTTP {response.status_code} {_problem(response)}")

    def connection_check(self) -> tuple[str, str]:
        """"Verifica collegamento": an authenticated read of a debt position that cannot exist. GPD answers
        404 with a ProblemJson only past the subscription-key check (401 without a valid key, gpd.json) and
        for this organization's fiscal code; then an empty cart to Checkout, which answers 400 (its contract,
        checkout_v2.json) when it is reachable. Returns (GPD outcome, Checkout outcome): "ok" or the reason."""
        url = f"{self._organization()}/debtpositions/{self.config.comune.codice_fiscale}-{VERIFICA_IUPD}"
        response = self._send("GET", url)
        if response.status_code == 404 and _problem(response):
            gpd = "ok"
        elif response.status_code in (401, 403):
            gpd = f"HTTP {response.status_code}: chiave API rifiutata o non abilitata per questo codice fiscale"
        else:
            gpd = f"HTTP {response.status_code} {_problem(response)}".strip()
        try:
            cart = self._send("POST", f"{self.config.checkout_url.rstrip('/')}/carts", json={}, api_key=False)
        except GatewayError as error:
            return gpd, str(error)
        return gpd, "ok" if cart.status_code < 500 else f"HTTP {cart.status_code}"


DESCRIZIONE_RICARICA = "Ricarica servizi scolastici"
VERIFICA_IUPD = "VERIFICA-COLLEGAMENTO"  # no IUV has letters: no position of ours has this iupd


def _pause_key(url: str) -> str:
    """One pause per pagoPA host (GPD and Checkout share the platform's)."""
    return f"pagopa:pausa:{urlsplit(url).netloc}"


def iupd_of(posizione: Posizione) -> str:
    """The position's id at GPD: unique within the comune (its fiscal code and the IUV)."""
    return f"{posizione.comune.codice_fiscale}-{posizione.iuv}"


def position_body(posizione: Posizione, config: ConfigurazionePagamenti) -> dict:
    """The PaymentPositionModel of a RICARICA cart, with every field the contract requires."""
    righe = list(posizione.righe.select_related("consumatore"))
    payer = posizione.utente
    due = datetime.datetime.combine(posizione.scadenza, datetime.time(23, 59, 59), tzinfo=ROME)
    return {
        "iupd": iupd_of(posizione),
        "type": "F",  # a natural person pays
        "fiscalCode": payer.codice_fiscale or "ANONIMO",
        "fullName": (payer.get_full_name() or payer.email)[:TEXT_MAX],
        "email": payer.email,
        "companyName": str(posizione.comune)[:TEXT_MAX],
        "officeName": "Servizi scolastici",
        # An unpaid top-up expires at its due date instead of staying payable for ever.
        "switchToExpired": True,
        "paymentOption": [{
            "iuv": posizione.iuv,
            "nav": posizione.numero_avviso,
            "amount": posizione.centesimi,
            "description": DESCRIZIONE_RICARICA,
            "isPartialPayment": False,
            "dueDate": due.isoformat(),
            "transfer": _transfers(righe, posizione, config),
        }],
    }


def _transfers(righe, posizione: Posizione, config: ConfigurazionePagamenti) -> list[dict]:
    """One transfer per cart line; past the contract's five, lines of the same service share one."""
    groups: OrderedDict[tuple, list] = OrderedDict()
    for n, riga in enumerate(righe):
        key = (n,) if len(righe) <= MAX_TRANSFERS else (riga.servizio,)
        groups.setdefault(key, []).append(riga)
    transfers = []
    for n, lines in enumerate(groups.values()):
        first = lines[0]
        if len(lines) == 1:
            testo = f"Ricarica {first.get_servizio_display()} {first.consumatore}"
        else:
            testo = f"Ricarica {first.get_servizio_display()} " + ", ".join(str(r.consumatore) for r in lines)
        transfers.append({
            "idTransfer": str(n + 1),
            "amount": int(sum((r.importo for r in lines), Decimal("0")) * 100),
            "organizationFiscalCode": posizione.comune.codice_fiscale,
            "remittanceInformation": testo[:TEXT_MAX],
            "category": config.tassonomia(first.servizio),
            "iban": config.iban,
        })
    return transfers


def state_of(payload: dict, posizione: Posizione) -> StatoRemoto:
    """Map a PaymentPositionModelBaseResponse onto our outcomes; the receipt of a paid option comes along."""
    status = str(payload.get("status") or "")[:30]
    options = payload.get("paymentOption")
    if not isinstance(options, list):
        options = []
    option = next((o for o in options if isinstance(o, dict) and o.get("iuv") == posizione.iuv), None)
    if option is None and options and isinstance(options[0], dict):
        option = options[0]
    option_status = str((option or {}).get("status") or "")[:30]
    if option is not None and (option_status in PAID_OPTION_STATES or status in PAID_POSITION_STATES):
        return StatoRemoto(EsitoRemoto.PAGATA, status, _receipt_of(posizione, payload, option))
    if status in PAYABLE_POSITION_STATES:
        return StatoRemoto(EsitoRemoto.IN_ATTESA, status)
    if status == "EXPIRED":
        return StatoRemoto(EsitoRemoto.SCADUTA, status)
    if status == "INVALID":
        return StatoRemoto(EsitoRemoto.INVALIDATA, status)
    if status == "DRAFT":
        return StatoRemoto(EsitoRemoto.NON_PUBBLICATA, status)
    return StatoRemoto(EsitoRemoto.SCONOSCIUTO, (status or "?")[:30])


MAX_CENTS = 9_999_999_999  # the ledger's NUMERIC(12, 2)


def _receipt_of(posizione: Posizione, payload: dict, option: dict) -> RicevutaGateway:
    """A paid option's receipt. A field GPD should never send malformed is a GatewayError: retried later,
    never credited on a guess."""
    amount = option.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_CENTS:
        raise GatewayError(f"GPD receipt of {posizione.numero_avviso}: amount {str(amount)[:30]!r}")
    identificativo = option.get("idReceipt") or f"GPD-{posizione.numero_avviso}"
    psp = option.get("pspCompany") or ""
    if not isinstance(identificativo, str) or not isinstance(psp, str) or len(identificativo) > 100 \
            or "\x00" in identificativo + psp:
        raise GatewayError(f"GPD receipt of {posizione.numero_avviso}: idReceipt or pspCompany")
    raw_date = option.get("paymentDate") or payload.get("paymentDate")
    pagata_il = gpd_datetime(raw_date) if isinstance(raw_date, str) else None
    if raw_date and pagata_il is None or pagata_il is not None and not data_in_range(pagata_il.date()):
        raise GatewayError(f"GPD receipt of {posizione.numero_avviso}: paymentDate {str(raw_date)[:40]!r}")
    return RicevutaGateway(
        identificativo=identificativo, numero_avviso=posizione.numero_avviso,
        importo=(Decimal(amount) / 100).quantize(Decimal("0.01")), psp=psp[:200],
        pagata_il=pagata_il or datetime.datetime.now(tz=ROME),
    )


def _problem(response: httpx.Response) -> str:
    """The ProblemJson's title and detail, if the answer has one."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    parts = [str(body.get(k)) for k in ("title", "detail", "message") if body.get(k)]
    return " – ".join(parts)[:200]


def _path_of(url: str) -> str:
    return httpx.URL(url).path

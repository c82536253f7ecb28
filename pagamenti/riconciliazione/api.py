"""Client of pagoPA's "FdR for organizations" REST API, a second source of the same flows.

Contract: pagopa/pagopa-api `openapi/fdr_organization.json` (base …/fdr-org/service/v1, key in the
`Ocp-Apim-Subscription-Key` header): `GET /organizations/{organizationId}/fdrs` (paged list with
`metadata.totPage`), `GET …/fdrs/{fdr}/revisions/{revision}/psps/{pspId}` (the flow) and `…/payments`
(paged; each `index`, `iuv`, `iur`, `idTransfer`, `pay`, `payStatus`, `payDate`). The flow becomes
the same `FlussoLetto` as an XML file; `services.flusso_import` does the rest.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .flusso import PAY_STATUS_ESITO, FlussoLetto, FlussoNonValido, PagamentoLetto

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
ATTEMPTS = 3
PAGE_SIZE = 1000
MAX_PAGES = 1000
PAYMENT_REQUIRED = ("index", "iuv", "iur", "idTransfer", "pay", "payStatus", "payDate")


class FdrApiError(Exception):
    """The API did not answer, or answered an error: nothing is imported, the next run tries again."""


@dataclass(frozen=True)
class FlowRef:
    fdr: str
    psp_id: str
    revision: int


class FdrClient:
    def __init__(self, *, base_url: str, api_key: str, organization_id: str, timeout: float = TIMEOUT_SECONDS,
                 attempts: int = ATTEMPTS, backoff: float = 0.5, page_size: int = PAGE_SIZE,
                 transport: httpx.BaseTransport | None = None):
        self.organization_id = organization_id
        self.page_size = page_size
        self.attempts = attempts
        self.backoff = backoff
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"), timeout=httpx.Timeout(timeout), transport=transport,
            headers={"Ocp-Apim-Subscription-Key": api_key, "Accept": "application/json"},
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> FdrClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _get(self, path: str, params: dict[str, Any] | None = None) -> dict:
        last = ""
        for attempt in range(1, self.attempts + 1):
            request_id = str(uuid.uuid4())
            try:
                response = self.http.get(path, params=params, headers={"X-Request-Id": request_id})
            except httpx.TransportError as error:
                last = f"{type(error).__name__}: {error}"
                logger.warning("FdR GET %s attempt %s: %s (X-Request-Id %s)", path, attempt, last, request_id)
            else:
                answered_id = response.headers.get("X-Request-Id", request_id)
                logger.info("FdR GET %s -> HTTP %s (X-Request-Id %s)", path, response.status_code, answered_id)
                if response.status_code == 200:
                    try:
                        return response.json(parse_float=Decimal)
                    except ValueError as error:
                        raise FdrApiError(f"FdR GET {path}: not JSON (X-Request-Id {answered_id})") from error
                last = f"HTTP {response.status_code} (X-Request-Id {answered_id})"
                if response.status_code < 500 and response.status_code != 429:
                    raise FdrApiError(f"FdR GET {path}: {last}")
            if attempt < self.attempts:
                time.sleep(self.backoff * attempt)
        raise FdrApiError(f"FdR GET {path}: {last}")

    def _org(self) -> str:
        return f"/organizations/{self.organization_id}/fdrs"

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[dict]:
        page = 1
        while page <= MAX_PAGES:
            body = self._get(path, {**params, "page": page, "size": self.page_size})
            yield from body.get("data") or []
            total = int((body.get("metadata") or {}).get("totPage") or 1)
            if page >= total:
                return
            page += 1

    def flows(self, *, published_gt: datetime.datetime | None = None) -> Iterator[FlowRef]:
        """The published flows of the organization (all pages)."""
        params = {"publishedGt": published_gt.isoformat()} if published_gt else {}
        for item in self._pages(self._org(), params):
            try:
                yield FlowRef(str(item["fdr"]), str(item["pspId"]), int(item["revision"]))
            except (KeyError, TypeError, ValueError) as error:
                raise FdrApiError(f"FdR list: malformed item {item!r}") from error

    def flow(self, ref: FlowRef) -> tuple[FlussoLetto, str]:
        """The flow with all its payments, and a fingerprint of what the API returned."""
        path = f"{self._org()}/{ref.fdr}/revisions/{ref.revision}/psps/{ref.psp_id}"
        head = self._get(path)
        payments = list(self._pages(f"{path}/payments", {}))
        canonical = json.dumps([head, payments], sort_keys=True, default=str).encode()
        return flusso_from_api(head, payments), hashlib.sha256(canonical).hexdigest()


def _decimal(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount.quantize(Decimal("0.01")) if amount == amount.quantize(Decimal("0.01")) else None


def _instant(value: Any) -> datetime.datetime | None:
    try:
        parsed = parse_datetime(str(value or ""))
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, datetime.UTC)
    return parsed


def flusso_from_api(head: dict, payments: list[dict]) -> FlussoLetto:
    """Map a SingleFlowResponse and its Payment list onto a FlussoLetto, listing every problem."""
    errori: list[str] = []
    sender, receiver = head.get("sender") or {}, head.get("receiver") or {}
    for name, value in (("fdr", head.get("fdr")), ("regulation", head.get("regulation")),
                        ("sender.id", sender.get("id")), ("receiver.organizationId", receiver.get("organizationId"))):
        if not value:
            errori.append(f"Flusso: manca «{name}».")
    fdr_date, regulation_date = _instant(head.get("fdrDate")), None
    try:
        regulation_date = datetime.date.fromisoformat(str(head.get("regulationDate") or ""))
    except ValueError:
        errori.append("Flusso: «regulationDate» non è una data.")
    if fdr_date is None:
        errori.append("Flusso: «fdrDate» non è una data e ora.")
    tot, total = head.get("totPayments"), _decimal(head.get("sumPayments"))
    if not isinstance(tot, int) or total is None:
        errori.append("Flusso: «totPayments» o «sumPayments» mancanti o non validi.")
    letti = []
    for n, item in enumerate(payments, start=1):
        mancanti = [k for k in PAYMENT_REQUIRED if item.get(k) in (None, "")]
        if mancanti:
            errori.append(f"Pagamento n. {n}: mancano {', '.join(mancanti)}.")
            continue
        importo, quando = _decimal(item["pay"]), _instant(item["payDate"])
        esito = PAY_STATUS_ESITO.get(str(item["payStatus"]))
        if importo is None or importo <= 0:
            errori.append(f"Pagamento n. {n}: «pay» = {item['pay']} non è un importo valido.")
        if esito is None:
            errori.append(f"Pagamento n. {n}: «payStatus» = {item['payStatus']} non è tra quelli previsti.")
        if quando is None:
            errori.append(f"Pagamento n. {n}: «payDate» non è una data e ora.")
        if not isinstance(item["idTransfer"], int) or not 1 <= item["idTransfer"] <= 5:
            errori.append(f"Pagamento n. {n}: «idTransfer» deve essere tra 1 e 5.")
        if importo is None or esito is None or quando is None or not isinstance(item["index"], int):
            continue
        letti.append(PagamentoLetto(
            progressivo=item["index"], iuv=str(item["iuv"])[:35], iur=str(item["iur"])[:35],
            indice=item["idTransfer"] if isinstance(item["idTransfer"], int) else 1, importo=importo,
            esito=esito, data_esito=timezone.localdate(quando),
        ))
    if errori:
        raise FlussoNonValido(errori)
    return FlussoLetto(
        identificativo=str(head["fdr"])[:35], data_ora_flusso=fdr_date, revisione=int(head.get("revision") or 1),
        identificativo_regolamento=str(head["regulation"])[:35], data_regolamento=regulation_date,
        psp_id=str(sender["id"])[:35], psp_nome=str(sender.get("pspName") or "")[:70],
        ente_ricevente=str(receiver["organizationId"])[:35], numero_dichiarato=tot, importo_dichiarato=total,
        codice_bic=str(head.get("bicCodePouringBank") or "")[:35], pagamenti=letti,
    )

"""Our LIS wire format (documented in README.md), kept behind this adapter so the real one can replace it.

POST /<comune>/api/puntolis/notifiche/ with a JSON body
  {"transaction_id": "...", "payment_code": "...", "amount": "25.00", "service": "mensa", "paid_at": "ISO 8601"}
headers  X-LIS-Timestamp: <unix seconds>
         X-LIS-Signature: hex(HMAC-SHA256(comune's shared secret, "<timestamp>.<raw body>"))
A timestamp more than TIMESTAMP_WINDOW seconds away from now is refused (replay of an old message);
a replayed transaction id inside the window is recognised by its uniqueness and credits nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from omnibus.dates import data_in_range
from pagamenti.models import Servizio

TIMESTAMP_WINDOW = 300
MAX_AMOUNT = Decimal("99999999.99")

FIRMA_NON_VALIDA = "firma_non_valida"
FUORI_FINESTRA = "timestamp_fuori_finestra"
FORMATO_NON_VALIDO = "formato_non_valido"


class NotificaLISError(Exception):
    def __init__(self, codice: str, messaggio: str):
        super().__init__(messaggio)
        self.codice = codice
        self.messaggio = messaggio


@dataclass(frozen=True)
class NotificaLIS:
    transaction_id: str
    payment_code: str
    amount: Decimal
    service: str
    paid_at: datetime.datetime


def _bytes(text: str) -> bytes:
    # Header values are whatever the client sent: any character (a lone surrogate included) must compare,
    # not raise (hmac.compare_digest refuses non-ASCII str with TypeError).
    return text.encode("utf-8", "surrogatepass")


def sign(*, secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), _bytes(timestamp) + b"." + body, hashlib.sha256).hexdigest()


def notifica_parse(
    *, secret: str, body: bytes, timestamp: str, signature: str, now: float | None = None
) -> NotificaLIS:
    """Authenticate and decode one notification, or raise NotificaLISError with a clear reason."""
    if not secret or not signature or not hmac.compare_digest(
            sign(secret=secret, timestamp=timestamp, body=body).encode(), _bytes(signature)):
        raise NotificaLISError(FIRMA_NON_VALIDA, "Firma HMAC mancante o non valida.")
    try:
        sent = int(timestamp)
    except ValueError as error:
        raise NotificaLISError(FUORI_FINESTRA, "Timestamp non valido.") from error
    if abs((now if now is not None else time.time()) - sent) > TIMESTAMP_WINDOW:
        raise NotificaLISError(FUORI_FINESTRA, "Timestamp fuori dalla finestra ammessa.")
    try:
        data = json.loads(body)
        amount = Decimal(str(data["amount"]))
        transaction_id = str(data["transaction_id"]).strip()
        payment_code = str(data["payment_code"]).strip().upper()
        service = str(data.get("service") or Servizio.MENSA)
        paid_at_text = str(data.get("paid_at") or "")
    except (ValueError, KeyError, TypeError, AttributeError, InvalidOperation, RecursionError) as error:
        raise NotificaLISError(FORMATO_NON_VALIDO, f"Corpo non valido: {error}") from error
    if (not transaction_id or len(transaction_id) > 100 or "\x00" in transaction_id + payment_code
            or len(payment_code) > 100 or service not in Servizio.values or not _amount_valid(amount)):
        raise NotificaLISError(FORMATO_NON_VALIDO, "transaction_id, payment_code, service o amount non validi.")
    return NotificaLIS(transaction_id, payment_code, amount, service, _paid_at(paid_at_text))


def _amount_valid(amount: Decimal) -> bool:
    """Positive, at most two decimals, and within the ledger's NUMERIC(12, 2)."""
    return amount.is_finite() and Decimal("0") < amount <= MAX_AMOUNT and amount == amount.quantize(Decimal("0.01"))


def _paid_at(text: str) -> datetime.datetime:
    try:
        paid_at = parse_datetime(text)
    except ValueError as error:  # well-formed but impossible: 2026-13-01T00:00
        raise NotificaLISError(FORMATO_NON_VALIDO, f"paid_at non valido: {error}") from error
    if paid_at is None:
        if text:
            raise NotificaLISError(FORMATO_NON_VALIDO, "paid_at non è una data e ora ISO 8601.")
        return timezone.now()
    if not data_in_range(paid_at.date()):
        raise NotificaLISError(FORMATO_NON_VALIDO, "paid_at fuori dall'intervallo ammesso.")
    return timezone.make_aware(paid_at) if timezone.is_naive(paid_at) else paid_at

"""The content of an App IO message, within IO's limits (MessageContent in io-functions-services'
openapi/index.yaml: subject 10–120 characters, markdown 80–10,000, payment_data with the amount in
euro cents and the 18-digit notice number). Events of the national model of the school-canteen
messages get its subject and text (notifiche.io.modello); any other message names the service in the
subject and the comune signs the text. An avviso is payable in IO either way."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from notifiche.models import Notifica, ServizioIO

from .modello import model_content

if TYPE_CHECKING:
    from pagamenti.models import Posizione

ROME = ZoneInfo("Europe/Rome")

SUBJECT_MAX = 120
MARKDOWN_MAX = 10_000
NOTICE_NUMBER_DIGITS = 18


def subject_of(*, notifica: Notifica, servizio: ServizioIO) -> str:
    prefix = f"{servizio.get_ambito_display()}: "
    subject = prefix + notifica.titolo.strip()
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 1].rstrip() + "…"
    return subject  # the prefix alone is longer than IO's minimum of 10


def markdown_of(*, notifica: Notifica, servizio: ServizioIO) -> str:
    firma = (
        f"\n\n---\n\nMessaggio del **{notifica.comune}** per il servizio di "
        f"{servizio.get_ambito_display().lower()}. Trovi lo stesso messaggio, con tutti i dettagli, nel portale "
        "dei servizi scolastici del comune, nella sezione *Messaggi*."
    )
    body = notifica.testo.strip()[: MARKDOWN_MAX - len(firma)]
    return body + firma  # the signature alone passes IO's minimum of 80 characters


def content_of(*, notifica: Notifica, servizio: ServizioIO, pagamento: dict | None = None) -> dict:
    """MessageContent; with `pagamento` (pagamento_of) the avviso can be paid inside IO. The subject and
    text follow the national model's message for the notification's event (notifiche.io.modello), or the
    generic ones for an event outside the model."""
    modello = model_content(notifica=notifica, servizio=servizio, pagamento=pagamento)
    if modello is not None:
        content: dict = {"subject": modello[0], "markdown": modello[1]}
    else:
        content = {"subject": subject_of(notifica=notifica, servizio=servizio),
                   "markdown": markdown_of(notifica=notifica, servizio=servizio)}
    if pagamento:
        amount = int(pagamento["importo_centesimi"])
        notice = str(pagamento["numero_avviso"])
        if amount < 1 or len(notice) != NOTICE_NUMBER_DIGITS or not notice.isdigit():
            raise ValueError("payment data outside IO's rules")
        due = datetime.date.fromisoformat(pagamento["scadenza"]) if pagamento.get("scadenza") else None
        content["payment_data"] = {
            "amount": amount, "notice_number": notice,
            # IO stops offering the payment after due_date only when pagoPA will refuse it then.
            "invalid_after_due_date": bool(due and pagamento.get("invalido_dopo_scadenza")),
            "payee": {"fiscal_code": notifica.comune.codice_fiscale},
        }
        if due:
            content["due_date"] = due_date_utc(due)
    return content


def due_date_utc(due: datetime.date) -> str:
    """IO's Timestamp (ISO-8601, UTC) of the avviso's last payable instant: 23:59:59 in Rome, the
    same instant as the dueDate of the GPD position (pagamenti.pagopa.gpd.position_body)."""
    last = datetime.datetime.combine(due, datetime.time(23, 59, 59), tzinfo=ROME).astimezone(datetime.UTC)
    return last.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def pagamento_of(posizione: Posizione) -> dict:
    """What an App IO message needs to make this pagoPA avviso payable in IO (JSON, for the task):
    the amount in euro cents, the 18-digit notice number, the due date; our GPD positions switch to
    expired at their due date (switchToExpired), so IO must not offer them afterwards."""
    return {"importo_centesimi": posizione.centesimi, "numero_avviso": posizione.numero_avviso,
            "scadenza": posizione.scadenza.isoformat(), "invalido_dopo_scadenza": True}

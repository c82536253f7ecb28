"""The content of an App IO message, within IO's limits (MessageContent in io-functions-services'
openapi/index.yaml: subject 10–120 characters, markdown 80–10,000, payment_data with the amount in
euro cents and the 18-digit notice number), following the national model of the school-canteen
messages: the service named in the subject, the comune signing the text, the avviso payable in IO."""

from __future__ import annotations

import datetime

from notifiche.models import Notifica, ServizioIO

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
    """MessageContent; with `pagamento` ({"importo_centesimi", "numero_avviso", "scadenza"}) the avviso
    can be paid inside IO."""
    content: dict = {"subject": subject_of(notifica=notifica, servizio=servizio),
                     "markdown": markdown_of(notifica=notifica, servizio=servizio)}
    if pagamento:
        amount = int(pagamento["importo_centesimi"])
        notice = str(pagamento["numero_avviso"])
        if amount < 1 or len(notice) != NOTICE_NUMBER_DIGITS or not notice.isdigit():
            raise ValueError("payment data outside IO's rules")
        content["payment_data"] = {"amount": amount, "notice_number": notice, "invalid_after_due_date": False,
                                   "payee": {"fiscal_code": notifica.comune.codice_fiscale}}
        if pagamento.get("scadenza"):
            due = datetime.date.fromisoformat(pagamento["scadenza"])
            content["due_date"] = f"{due.isoformat()}T23:59:59.000Z"
    return content

"""Bounces of the reminder e-mails: a delivery status notification read from the bounce mailbox marks its
reminder "Rimbalzata" in the register, and the letter joins the job's letters to print.

Every reminder e-mail carries a Message-ID naming its `Sollecito` and a keyed token
(`<sollecito-<pk>.<token>.<n>@<domain>>`, n the guardian's copy; `<pk>.<token>` also in
`X-Omnibus-Sollecito`): DSNs return the original headers
(RFC 3464 §2: a text/rfc822-headers or message/rfc822 third part, RFC 6522), so the bounce names the exact
letter; the token (an HMAC of the comune and the reminder with SECRET_KEY) makes a forged bounce unable to
name a letter. A DSN without a signed reference marks nothing: anyone can mail the bounce address, and a
forged "User unknown" would turn a delivered reminder into a letter to print and undo the comune's proof of
delivery. Only when its Reporting-MTA (RFC 3464 §2.2.2) is one of `BOUNCE_TRUSTED_MTAS` (default none: the
comune's own relay, when the bounce mailbox accepts mail from it alone) does the failed address decide: the
latest reminder e-mailed to it in the last `BOUNCE_FALLBACK_DAYS` days, and only when a single comune sent
one there.

Which recipients failed for good, and which only temporarily, is flufl.bounce's work (RFC 3464 DSNs and
the non-standard formats of many MTAs). Reading the same bounce again changes nothing: a reminder turns
from "Consegnata" to "Rimbalzata" once, with a conditional UPDATE.
"""

from __future__ import annotations

import datetime
import enum
import hmac
import logging
import re
from dataclasses import dataclass
from email.message import Message
from email.utils import parseaddr

from django.conf import settings
from django.core.mail.utils import DNS_NAME
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_scopes import scope, scopes_disabled
from flufl.bounce import all_failures

from .models import EsitoEmail, Sollecito
from .solleciti import sollecito_bounce

logger = logging.getLogger(__name__)

HEADER = "X-Omnibus-Sollecito"
_SALT = "ufficio.rimbalzi.sollecito"
_TOKEN = 20  # hex characters of the HMAC kept: 80 bits
_RIFERIMENTO = re.compile(rf"(?:sollecito-|{HEADER}:\s*)(\d{{1,12}})\.([0-9a-f]{{{_TOKEN}}})\b", re.IGNORECASE)
# Error text of a failure reported by one of the non-standard formats, which carry no Status field.
ERRORE_NON_STANDARD = "rimbalzo permanente (formato non standard)"


def _token(*, comune_id: int, sollecito_id: int) -> str:
    return salted_hmac(_SALT, f"{comune_id}:{sollecito_id}").hexdigest()[:_TOKEN]


def riferimento_of(sollecito: Sollecito) -> str:
    """`<pk>.<token>`: what the e-mail's Message-ID and X-Omnibus-Sollecito header carry."""
    return f"{sollecito.pk}.{_token(comune_id=sollecito.comune_id, sollecito_id=sollecito.pk)}"


def intestazioni_for(sollecito: Sollecito, copia: int = 0) -> dict[str, str]:
    """The headers that let a bounce name its reminder (RFC 5322 §3.6.4 Message-ID: id-left@id-right).

    `copia`: the letter goes as one e-mail per guardian, each with its own Message-ID (unique, §3.6.4)."""
    dominio = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or str(DNS_NAME)
    riferimento = riferimento_of(sollecito)
    return {"Message-ID": f"<sollecito-{riferimento}.{copia}@{dominio}>", HEADER: riferimento}


class Esito(enum.Enum):
    """What reading one message did; all but ILLEGGIBILE mark the message as read."""

    ILLEGGIBILE = "illeggibile"  # not an e-mail, or the detectors failed on it: left in the mailbox
    NESSUN_ERRORE = "nessun errore"  # an auto-reply, a "relayed" or "delivered" DSN
    TRANSITORIO = "transitorio"  # delayed (4.x.x): the MTA is still trying
    NON_TROVATO = "non trovato"  # a permanent failure that names none of our reminders
    SEGNATO = "segnato"  # one or more reminders turned "Rimbalzata"
    GIA_SEGNATO = "già segnato"  # the reminders it names were already marked


@dataclass(frozen=True)
class Lettura:
    esito: Esito
    solleciti: tuple[int, ...] = ()
    dettaglio: str = ""


def _testi(msg: Message) -> str:
    """Every header and text part of the bounce, original headers included, as one text to search."""
    testi = []
    for part in msg.walk():
        testi.extend(f"{name}: {value}" for name, value in part.items())
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                testi.append(payload.decode("utf-8", "replace"))
    return "\n".join(testi)


def _stati(msg: Message) -> dict[str, str]:
    """Failed address -> "Status Diagnostic-Code" from the per-recipient fields of RFC 3464 §2.3
    (Original-Recipient §2.3.1, Final-Recipient §2.3.2, Status §2.3.4, Diagnostic-Code §2.3.6)."""
    stati: dict[str, str] = {}
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status" or not part.is_multipart():
            continue
        for blocco in part.get_payload():
            # A folded Diagnostic-Code (several lines) becomes one line.
            errore = " ".join(" ".join(str(blocco.get(f, "")).split()) for f in ("status", "diagnostic-code"))
            errore = errore.strip()
            for campo in ("original-recipient", "final-recipient"):
                # address-type ";" address (§2.3.1); some MTAs write the bare address.
                tipo, sep, indirizzo = str(blocco.get(campo, "")).partition(";")
                indirizzo = parseaddr((indirizzo if sep else tipo).strip())[1].lower()
                if indirizzo and errore:
                    stati.setdefault(indirizzo, errore)
    return stati


def _reporting_mta(msg: Message) -> str:
    """The name of the DSN's Reporting-MTA (RFC 3464 §2.2.2: "Reporting-MTA: dns; mx.example.org"), or ""."""
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status" or not part.is_multipart():
            continue
        for blocco in part.get_payload():
            tipo, sep, nome = str(blocco.get("reporting-mta", "")).partition(";")
            nome = (nome if sep else tipo).strip().lower().removesuffix(".")
            if nome:
                return nome
    return ""


def _mta_trusted(msg: Message) -> bool:
    trusted = {m.strip().lower().removesuffix(".") for m in settings.BOUNCE_TRUSTED_MTAS if m.strip()}
    return bool(trusted) and _reporting_mta(msg) in trusted


def _per_riferimento(testo: str) -> list[Sollecito]:
    """The reminders the bounce names with a valid token (any comune: the row's comune decides)."""
    trovati: dict[int, str] = {}
    for match in _RIFERIMENTO.finditer(testo):
        trovati.setdefault(int(match.group(1)), match.group(2).lower())
    if not trovati:
        return []
    with scopes_disabled():
        candidati = Sollecito.objects.filter(pk__in=list(trovati)).only("pk", "comune_id", "esito_email",
                                                                          "destinatari")
    return [s for s in candidati if hmac.compare_digest(
        trovati[s.pk], _token(comune_id=s.comune_id, sollecito_id=s.pk))]


def _destinatari(sollecito: Sollecito) -> set[str]:
    return {a.strip().lower() for a in sollecito.destinatari.split(",") if a.strip()}


def _per_indirizzo(indirizzo: str, *, now: datetime.datetime) -> Sollecito | None:
    """The latest reminder e-mailed to the address lately, when only one comune sent there."""
    giorni = settings.BOUNCE_FALLBACK_DAYS
    with scopes_disabled():
        candidati = [s for s in Sollecito.objects.filter(
            destinatari__icontains=indirizzo, inviato_il__gte=now - datetime.timedelta(days=giorni),
            esito_email__in=[EsitoEmail.INVIATA, EsitoEmail.RIMBALZATA],
        ).only("pk", "comune_id", "esito_email", "destinatari", "inviato_il").order_by("-inviato_il", "-pk")
            if indirizzo in _destinatari(s)]
    if len({s.comune_id for s in candidati}) > 1:
        logger.warning("rimbalzo per %s: solleciti di più comuni, nessuno segnato", indirizzo)
        return None
    return candidati[0] if candidati else None


def _errore(sollecito: Sollecito, falliti: list[str], stati: dict[str, str]) -> str:
    """The failed addresses of this letter (all the failed ones when the bounce names other addresses,
    as after a forward) with their Status and Diagnostic-Code."""
    propri = [a for a in falliti if a in _destinatari(sollecito)] or falliti
    return "; ".join(f"{a}: {stati.get(a, ERRORE_NON_STANDARD)}" for a in propri)


def rimbalzo_process(msg: Message, *, now: datetime.datetime | None = None) -> Lettura:
    """Read one message of the bounce mailbox and mark the reminders whose e-mail failed for good."""
    if not msg.keys():
        return Lettura(Esito.ILLEGGIBILE, dettaglio="nessuna intestazione")
    try:
        temporanei, permanenti = all_failures(msg)
        stati = _stati(msg)
        testo = _testi(msg)
    except Exception as error:  # noqa: BLE001 - any malformed mail: logged by the caller, left alone
        return Lettura(Esito.ILLEGGIBILE, dettaglio=f"{type(error).__name__}: {error}")
    if not permanenti:
        return Lettura(Esito.TRANSITORIO if temporanei else Esito.NESSUN_ERRORE)
    falliti = sorted(a.decode("ascii").lower() for a in permanenti)
    solleciti = _per_riferimento(testo)
    if not solleciti and _mta_trusted(msg):
        per_indirizzo = {s.pk: s for s in (_per_indirizzo(a, now=now or timezone.now()) for a in falliti) if s}
        solleciti = list(per_indirizzo.values())
    if not solleciti:
        return Lettura(Esito.NON_TROVATO, dettaglio=", ".join(falliti) + " (nessun Message-ID firmato)")
    segnati = []
    for sollecito in solleciti:
        with scope(comune=sollecito.comune_id):
            if sollecito_bounce(sollecito=sollecito, errore=_errore(sollecito, falliti, stati)):
                segnati.append(sollecito.pk)
    return Lettura(Esito.SEGNATO if segnati else Esito.GIA_SEGNATO, solleciti=tuple(sorted(segnati)),
                   dettaglio=", ".join(falliti))

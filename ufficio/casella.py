"""The bounce mailbox (BOUNCE_MAILBOX): a Maildir the MTA delivers to, or a folder on an IMAP server.

Each message not read yet goes through `ufficio.rimbalzi.rimbalzo_process`; a message read is marked so
the next run skips it (Maildir: moved to cur/ with the S flag, maildir(5); IMAP: the \\Seen flag,
RFC 3501 §2.3.2), one the reader cannot make sense of is logged and left as it is. Reading a message
twice (two runs at once, a mark that failed) changes nothing: the register is updated once.
"""

from __future__ import annotations

import email
import imaplib
import logging
import mailbox
import ssl
from collections import Counter
from contextlib import suppress
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit

from django.conf import settings

from .rimbalzi import Esito, Lettura, rimbalzo_process

logger = logging.getLogger(__name__)

# A bounce carries at most the reminder it returns (a one-page PDF): anything far larger is not ours.
MAX_BYTES = 5 * 1024 * 1024
# Messages read per run: the next run, 15 minutes later, goes on.
MAX_PER_RUN = 500
IMAP_TIMEOUT_SECONDS = 30


class CasellaError(Exception):
    """The mailbox cannot be read (wrong address, refused login, unreachable server)."""


def casella_leggi(*, indirizzo: str | None = None) -> Counter[Esito]:
    """Read the bounce mailbox (BOUNCE_MAILBOX unless given); how many messages ended how."""
    indirizzo = settings.BOUNCE_MAILBOX if indirizzo is None else indirizzo
    if not indirizzo:
        return Counter()
    parti = urlsplit(indirizzo)
    if parti.scheme == "maildir":
        return _maildir(Path(unquote(parti.netloc + parti.path)))
    if parti.scheme in ("imap", "imaps"):
        return _imap(parti)
    raise CasellaError(f"BOUNCE_MAILBOX: schema «{parti.scheme}» non previsto (maildir, imap, imaps)")


def _leggi(raw: bytes | None, *, origine: str) -> Lettura:
    if raw is None or len(raw) > MAX_BYTES:
        lettura = Lettura(Esito.ILLEGGIBILE, dettaglio="vuoto o troppo grande")
    else:
        try:
            lettura = rimbalzo_process(email.message_from_bytes(raw))
        except Exception as error:  # noqa: BLE001 - one bad message never stops the others
            logger.exception("rimbalzo %s", origine)
            lettura = Lettura(Esito.ILLEGGIBILE, dettaglio=f"{type(error).__name__}: {error}")
    livello = logging.WARNING if lettura.esito is Esito.ILLEGGIBILE else logging.INFO
    logger.log(livello, "rimbalzo %s: %s %s %s", origine, lettura.esito.value, lettura.dettaglio,
               list(lettura.solleciti) or "")
    return lettura


def _maildir(percorso: Path) -> Counter[Esito]:
    if not (percorso / "new").is_dir() or not (percorso / "cur").is_dir():
        raise CasellaError(f"BOUNCE_MAILBOX: {percorso} non è una Maildir (mancano new/ e cur/)")
    casella = mailbox.Maildir(percorso, factory=None, create=False)
    conteggio: Counter[Esito] = Counter()
    for chiave in sorted(casella.iterkeys())[:MAX_PER_RUN]:
        try:
            messaggio = casella.get_message(chiave)
            if "S" in messaggio.get_flags():
                continue
            raw = casella.get_bytes(chiave)
        except (KeyError, FileNotFoundError):
            continue  # taken by a concurrent run
        lettura = _leggi(raw, origine=f"maildir {chiave}")
        conteggio[lettura.esito] += 1
        if lettura.esito is not Esito.ILLEGGIBILE:
            messaggio.set_subdir("cur")
            messaggio.add_flag("S")
            # A concurrent run may have moved it first (ExternalClashError, a missing file): it is read.
            with suppress(KeyError, OSError, mailbox.Error):
                casella[chiave] = messaggio
    return conteggio


def _quoted(nome: str) -> str:
    """An IMAP quoted string (RFC 3501 §4.3), for a folder name with spaces."""
    return '"' + nome.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _imap(parti: SplitResult) -> Counter[Esito]:
    cartella = unquote(parti.path.lstrip("/")) or "INBOX"
    host = parti.hostname or ""
    try:
        if parti.scheme == "imaps":
            connessione: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                host, parti.port or imaplib.IMAP4_SSL_PORT, ssl_context=ssl.create_default_context(),
                timeout=IMAP_TIMEOUT_SECONDS)
        else:
            connessione = imaplib.IMAP4(host, parti.port or imaplib.IMAP4_PORT, timeout=IMAP_TIMEOUT_SECONDS)
    except (OSError, imaplib.IMAP4.error) as error:
        raise CasellaError(f"BOUNCE_MAILBOX: {host} non raggiungibile ({error})") from error
    try:
        return _imap_leggi(connessione, utente=unquote(parti.username or ""),
                           password=unquote(parti.password or ""), cartella=cartella, host=host)
    except (OSError, imaplib.IMAP4.error) as error:
        raise CasellaError(f"BOUNCE_MAILBOX: {host}: {error}") from error
    finally:
        with suppress(OSError, imaplib.IMAP4.error):
            connessione.logout()


def _imap_leggi(connessione: imaplib.IMAP4, *, utente: str, password: str, cartella: str,
                host: str) -> Counter[Esito]:
    connessione.login(utente, password)
    stato, _dati = connessione.select(_quoted(cartella))
    if stato != "OK":
        raise CasellaError(f"BOUNCE_MAILBOX: cartella «{cartella}» non trovata su {host}")
    _stato, dati = connessione.search(None, "UNSEEN")
    conteggio: Counter[Esito] = Counter()
    for numero in (dati[0] or b"").split()[:MAX_PER_RUN]:
        # BODY.PEEK[] leaves \Seen alone (RFC 3501 §6.4.5): a message set aside stays unseen for a person.
        _stato, risposta = connessione.fetch(numero.decode(), "(BODY.PEEK[])")
        raw = next((parte[1] for parte in risposta if isinstance(parte, tuple)), None)
        lettura = _leggi(raw, origine=f"imap {host}/{cartella} {numero.decode()}")
        conteggio[lettura.esito] += 1
        if lettura.esito is not Esito.ILLEGGIBILE:
            connessione.store(numero.decode(), "+FLAGS", "(\\Seen)")
    return conteggio

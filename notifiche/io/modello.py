"""App IO subjects and texts per event, after the national model of the school-canteen service on IO
("Mensa scolastica", pagopa/devportal-docs, docs/0OMsoqOg9GiJ2xusVHMv/educazione-e-formazione/
mensa-scolastica.md): enrolment open, application state, special diet, reductions, payment due,
unpaid payments, low credit on the electronic wallet, payment confirmed, other communications.

The event is read from the notification's key (`chiave`), which every sender already sets:
`domanda:<pk>:<stato>` (iscrizioni), `avviso:<pk>` (pagamenti.pagopa.avviso), `sollecito:<pk>`
(ufficio.invio), `mensa:sospensione|debito|credito:<episodio>` (mensa.debiti), `variazione-menu:…`
(mensa.menu.variazioni). `iscrizioni-aperte:…`, `dieta:<ref>:accolta|respinta|rinunciata`,
`agevolazioni:…` and `pagamento:…` follow the same rule for the senders that will use them. A key
of no known kind (or none) gets notifiche.io.messaggi's generic content.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from notifiche.models import Notifica, ServizioIO

SUBJECT_MAX = 120
MARKDOWN_MAX = 10_000
ANNO = re.compile(r"\b(\d{4})\s*[/-]\s*(\d{4})\b")

PAGA_IN_APP = ("Puoi pagare direttamente in app premendo “Paga”, oppure tramite tutti i canali di pagamento "
               "della piattaforma pagoPA e le altre modalità di pagamento offerte dall'ente creditore.")
ASSISTENZA = ("Per maggiori informazioni o per richiedere assistenza, contattaci tramite i canali che trovi "
              "nella scheda servizio.")


@dataclass(frozen=True)
class Evento:
    """What a model message needs, taken from the notification and its payment data."""

    notifica: Notifica
    servizio_txt: str  # "servizio mensa" / "servizio di trasporto scolastico"
    per: str  # " per Sofia Lacaita", or "" for a message about no child
    pagamento: dict | None

    @property
    def anno(self) -> str:
        match = ANNO.search(f"{self.notifica.titolo} {self.notifica.testo}")
        return f"{match[1]}/{match[2]}" if match else ""

    def importo_scadenza(self) -> str:
        if not self.pagamento:
            return ""
        cents = int(self.pagamento["importo_centesimi"])
        euro = f"{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d}"
        righe = f"**Devi pagare:** {euro} €"
        if self.pagamento.get("scadenza"):
            anno, mese, giorno = self.pagamento["scadenza"].split("-")
            righe += f"\n\n**Entro il:** {giorno}/{mese}/{anno}"
        return righe


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _domanda(esito: str) -> Callable[[Evento], tuple[str, list[str]]]:
    subjects = {"inviata": "La tua richiesta è stata ricevuta", "in_istruttoria": "La tua richiesta è in esame",
                "accolta": "La tua richiesta è stata accolta", "respinta": "La tua richiesta non è stata accolta",
                "ritirata": "La tua richiesta è stata ritirata"}
    stati = {"inviata": "è stata ricevuta dall'ufficio scuola", "in_istruttoria": "è in esame presso l'ufficio scuola",
             "accolta": "è stata accolta", "respinta": "non è stata accolta", "ritirata": "è stata ritirata"}
    return lambda e: (subjects[esito], [f"La tua richiesta di iscrizione ai servizi scolastici{e.per} {stati[esito]}."])


def _dieta(esito: str) -> Callable[[Evento], tuple[str, list[str]]]:
    if esito == "accolta":
        return lambda e: ("La tua richiesta è stata accolta", [
            f"La tua richiesta di dieta speciale{e.per} è stata accolta: potrai avere maggiori informazioni sui "
            "pasti e la relativa retta nel portale dei servizi scolastici."])
    if esito == "respinta":
        return lambda e: ("La tua richiesta non è stata accolta",
                          [f"La tua richiesta di dieta speciale{e.per} non è stata accolta."])
    return lambda e: ("La tua richiesta di rinuncia è stata accolta", [
        f"La tua richiesta di rinuncia alla dieta speciale{e.per} prevista per il servizio mensa scolastica è "
        "stata accolta."])


def _apertura(e: Evento) -> tuple[str, list[str]]:
    anno = f" per l'anno educativo {e.anno}" if e.anno else ""
    return (f"Sono aperte le richieste per il {e.servizio_txt}{anno}",
            [f"È possibile richiedere il {e.servizio_txt}{anno}{e.per}.",
             "Puoi trovare le informazioni sul servizio, sulle diete speciali e sui costi nel portale dei "
             "servizi scolastici."])


def _agevolazioni(e: Evento) -> tuple[str, list[str]]:
    return ("Richiedi agevolazioni sulla retta", [
        "I nuovi iscritti o già iscritti possono comunicare l'interesse a richiedere una retta agevolata o "
        "ridotta alle condizioni indicate dal comune, che trovi qui sotto."])


def _avviso(e: Evento) -> tuple[str, list[str]]:
    intestatario = e.notifica.user.get_full_name()
    a_chi = f" intestato a {intestatario}" if intestatario else ""
    return ("Hai un nuovo avviso di pagamento", [
        f"C'è un avviso da pagare{a_chi} e relativo al {e.servizio_txt}{e.per}.", e.importo_scadenza(),
        PAGA_IN_APP, "Se hai già provveduto a pagare l'avviso, ignora questo messaggio.", ASSISTENZA,
        "In fase di pagamento, se previsto dall'ente, l'importo riportato nel messaggio potrebbe subire variazioni."])


def _sollecito(e: Evento) -> tuple[str, list[str]]:
    return (f"Pagamenti insoluti – {e.notifica.titolo.strip()}", [
        f"Risultano pagamenti insoluti{e.per.replace(' per ', ' a carico di ', 1)} e relativi al {e.servizio_txt}.",
        e.importo_scadenza(), PAGA_IN_APP if e.pagamento else "",
        "Se hai già provveduto a pagare, ignora questo messaggio.", ASSISTENZA])


def _sospensione(e: Evento) -> tuple[str, list[str]]:
    return ("L'iscrizione al servizio è bloccata da pagamenti insoluti", [
        f"Risultano pagamenti insoluti{e.per.replace(' per ', ' a carico di ', 1)} e relativi al servizio mensa: "
        "il servizio è sospeso fino al ripristino del saldo.", ASSISTENZA])


def _debito(e: Evento) -> tuple[str, list[str]]:
    return ("Risultano pagamenti insoluti per il servizio mensa", [
        f"Risultano pagamenti insoluti{e.per.replace(' per ', ' a carico di ', 1)} e relativi al servizio mensa.",
        "Se hai già provveduto a pagare, ignora questo messaggio.", ASSISTENZA])


def _credito(e: Evento) -> tuple[str, list[str]]:
    return ("Hai un pagamento in scadenza", [
        f"Il pagamento relativo al servizio mensa{e.per} è in scadenza: il credito del borsellino elettronico "
        "sta per esaurirsi.", "Ricarica il tuo borsellino elettronico per continuare a usufruire del servizio.",
        "Se hai già provveduto a ricaricare, ignora questo messaggio."])


def _pagamento(e: Evento) -> tuple[str, list[str]]:
    giorno = timezone.localtime(e.notifica.creata_il) if e.notifica.creata_il else timezone.localtime()
    return ("Conferma di pagamento", [
        f"Il {giorno:%d/%m/%Y} è stato effettuato un pagamento sul tuo borsellino elettronico relativo al "
        f"{e.servizio_txt}{e.per}."])


def _comunicazione(e: Evento) -> tuple[str, list[str]]:
    titolo = e.notifica.titolo.strip()
    subject = titolo if len(titolo) >= 10 else f"Comunicazione sul {e.servizio_txt}"
    return subject, [f"Hai una nuova comunicazione sul {e.servizio_txt}{e.per}."]


def kind_of(chiave: str) -> Callable[[Evento], tuple[str, list[str]]] | None:
    """The model message of a notification key, None for the generic content."""
    parts = chiave.split(":")
    if len(parts) < 2:
        return None
    head, tail = parts[0], parts[-1]
    if head == "domanda" and len(parts) == 3 and tail in {"inviata", "in_istruttoria", "accolta", "respinta",
                                                           "ritirata"}:
        return _domanda(tail)
    if head == "dieta" and len(parts) == 3 and tail in {"accolta", "respinta", "rinunciata"}:
        return _dieta(tail)
    if head == "mensa":
        return {"sospensione": _sospensione, "debito": _debito, "credito": _credito}.get(parts[1])
    return {"iscrizioni-aperte": _apertura, "agevolazioni": _agevolazioni, "avviso": _avviso,
            "sollecito": _sollecito, "pagamento": _pagamento, "variazione-menu": _comunicazione}.get(head)


def model_content(*, notifica: Notifica, servizio: ServizioIO, pagamento: dict | None = None) -> tuple[str, str] | None:
    """(subject, markdown) of the model message for this notification, within IO's limits; None when the
    key names no event of the model. The portal's own text follows, quoted, so no detail is lost."""
    messaggio = kind_of(notifica.chiave or "")
    if messaggio is None:
        return None
    consumatore = notifica.consumatore if notifica.consumatore_id else None
    mensa = servizio.ambito == ServizioIO.Ambito.MENSA
    servizio_txt = "servizio mensa" if mensa else "servizio di trasporto scolastico"
    evento = Evento(notifica=notifica, servizio_txt=servizio_txt,
                    per=f" per {consumatore.nome_completo}" if consumatore else "", pagamento=pagamento)
    subject, paragrafi = messaggio(evento)
    chiusura = (f"Per ulteriori informazioni accedi al portale dei servizi scolastici del {notifica.comune}, "
                "nella sezione *Messaggi*.")
    testa = "\n\n".join(p for p in paragrafi if p)
    room = MARKDOWN_MAX - len(testa) - len(chiusura) - 20
    dettaglio = "\n".join(f"> {riga}".rstrip() for riga in _truncate(notifica.testo.strip(), room).splitlines())
    markdown = "\n\n".join(p for p in (testa, dettaglio, chiusura) if p)
    return _truncate(subject, SUBJECT_MAX), markdown[:MARKDOWN_MAX]

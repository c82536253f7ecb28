"""Formal reminders (solleciti): 1° sollecito, 2° sollecito, messa in mora, each with a pagoPA avviso.

A level is sent once per account and debt episode (unique key in `Sollecito`): a second click, a
retried task or two workers on the same job skip what is already in the register. The debt episode is
the canteen's notion (mensa.debiti._episodio): a new credit opens a new one. When the account is back
to zero or credit the reminders of the episode show paid and no further level can be sent.
The sending job itself is in `ufficio.invio`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuni.models import Comune
from consumatori.models import Tutore
from pagamenti.models import Movimento, StatoPosizione
from pagamenti.pagopa.services import posizione_cancel

from .models import LIVELLI, EsitoEmail, ImpostazioniSolleciti, Livello, Sollecito

NESSUN_MOROSO_ERROR = _("Nessun moroso da sollecitare con questa selezione.")
OGGETTO = "{livello}: {servizio} di {nome} – {comune}"
TESTO_EMAIL = (
    "Gentile famiglia,\n\nin allegato il {livello} per il debito di {debito} € del servizio di {servizio} di "
    "{nome}, con l'avviso di pagamento pagoPA (codice avviso {avviso}) da pagare online o presso un "
    "prestatore di servizi di pagamento.\n\nSe ha già pagato, non tenga conto di questo messaggio.\n\n"
    "Ufficio scuola – {comune}\n"
)


def impostazioni_for(*, comune: Comune) -> ImpostazioniSolleciti:
    impostazioni, _created = ImpostazioniSolleciti.objects.get_or_create(comune=comune)
    return impostazioni


@dataclass(frozen=True)
class Blocco:
    """Why a level cannot be sent to an account now."""

    motivo: str


LIVELLO_PRECEDENTE_MANCANTE = _("Manca il livello precedente nello stesso episodio di debito.")
TROPPO_PRESTO = _("Non sono ancora passati i giorni minimi dal livello precedente.")
GIA_INVIATO = _("Livello già inviato per questo debito.")
NON_IN_DEBITO = _("Il conto non è più a debito.")


def livello_blocco(*, livello: str, precedenti: dict[str, Sollecito], giorni: int,
                   now: datetime.datetime) -> Blocco | None:
    """The rule between levels: each needs the previous one, sent at least `giorni` days before."""
    if livello in precedenti:
        return Blocco(GIA_INVIATO)
    indice = LIVELLI.index(Livello(livello))
    if indice == 0:
        return None
    precedente = precedenti.get(LIVELLI[indice - 1])
    if precedente is None:
        return Blocco(LIVELLO_PRECEDENTE_MANCANTE)
    if precedente.inviato_il > now - datetime.timedelta(days=giorni):
        return Blocco(TROPPO_PRESTO)
    return None


def indirizzi_of(tutori: list[Tutore]) -> list[str]:
    result: list[str] = []
    for tutore in tutori:
        address = (tutore.utente.email if tutore.utente_id else "") or tutore.email
        if address and address.lower() not in {a.lower() for a in result}:
            result.append(address)
    return result


def testo_email(sollecito: Sollecito) -> str:
    return TESTO_EMAIL.format(
        livello=sollecito.get_livello_display(), debito=f"{sollecito.debito:.2f}".replace(".", ","),
        servizio=sollecito.get_servizio_display().lower(), nome=sollecito.consumatore.nome_completo,
        avviso=sollecito.posizione.numero_avviso_formattato, comune=sollecito.comune,
    )


def sollecito_bounce(*, sollecito: Sollecito, errore: str) -> bool:
    """A bounce reported later by the mail server (DSN): shown in the register, letter to print.
    Only a delivered e-mail turns bounced, once: the same bounce read again changes nothing."""
    return bool(Sollecito.objects.filter(pk=sollecito.pk, esito_email=EsitoEmail.INVIATA).update(
        esito_email=EsitoEmail.RIMBALZATA, errore_email=errore[:300]))


def solleciti_mark_paid(*, consumatore_id: int, servizio: str, now: datetime.datetime | None = None) -> int:
    """After a credit: if the account is back to zero or credit, its open reminders are paid and their
    avvisi still unpaid are closed (the debt was covered another way). Returns reminders marked paid."""
    aperti = list(Sollecito.objects.filter(consumatore_id=consumatore_id, servizio=servizio, pagato_il__isnull=True))
    if not aperti:
        return 0
    saldo = Movimento.objects.filter(consumatore_id=consumatore_id, servizio=servizio).aggregate(
        t=Sum("importo"))["t"]
    if saldo is not None and saldo < 0:
        return 0
    Sollecito.objects.filter(pk__in=[s.pk for s in aperti]).update(pagato_il=now or timezone.now())
    for sollecito in aperti:
        if sollecito.posizione_id:
            posizione = sollecito.posizione
            if posizione.stato == StatoPosizione.IN_ATTESA:
                posizione_cancel(posizione=posizione)
    return len(aperti)

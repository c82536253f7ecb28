"""Formal reminders (solleciti): 1° sollecito, 2° sollecito, messa in mora, each with a pagoPA avviso.

A level is sent once per account and debt episode (unique key in `Sollecito`): a second click, a
retried task or two workers on the same job skip what is already in the register. The debt episode is
the canteen's notion (mensa.debiti._episodio): a new credit opens a new one. When the account is back
to zero or credit the reminders of the episode show paid and no further level can be sent.
"""

from __future__ import annotations

import datetime
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuni.models import Comune, User
from consumatori.models import Consumatore, Tutore
from notifiche.io.messaggi import pagamento_of
from notifiche.services import notifica_send
from pagamenti.models import ModalitaPagamento, Movimento, StatoPosizione
from pagamenti.pagopa.services import RigaCarrello, posizione_cancel, posizione_create

from .lettera import lettera_pdf
from .models import LIVELLI, EsitoEmail, ImpostazioniSolleciti, InvioSolleciti, Livello, Sollecito, StatoInvio
from .selectors import FiltriMorosi, conto_moroso, morosi_all

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


@transaction.atomic
def invio_create(*, comune: Comune, creato_da: User, livello: str, conti: list[tuple[int, str]],
                 filtri: FiltriMorosi | None = None) -> InvioSolleciti:
    """Queue a sending job for the selected accounts, or for every debtor of the filters; starts after commit."""
    if filtri is not None:
        conti = [(m.consumatore_id, m.servizio) for m in morosi_all(comune=comune, filtri=filtri, completi=False)]
    else:
        # Only accounts of this comune (the scope filters the consumers), each once.
        known = set(Consumatore.objects.filter(pk__in=[pk for pk, _s in conti]).values_list("pk", flat=True))
        conti = list(dict.fromkeys((pk, s) for pk, s in conti if pk in known))
    if not conti:
        raise ValidationError({"conti": NESSUN_MOROSO_ERROR})
    invio = InvioSolleciti.objects.create(comune=comune, livello=livello, conti=[list(c) for c in conti],
                                          totale=len(conti), creato_da=creato_da)
    transaction.on_commit(lambda: _enqueue(invio))
    return invio


def _enqueue(invio: InvioSolleciti) -> None:
    from .tasks import invio_solleciti_task

    invio_solleciti_task.delay(invio.comune_id, invio.pk)


def invio_run(*, invio: InvioSolleciti) -> InvioSolleciti:
    """Send the job's reminders; safe to run again (retry, resume, a second worker)."""
    InvioSolleciti.objects.filter(pk=invio.pk, stato=StatoInvio.IN_CODA).update(stato=StatoInvio.IN_CORSO)
    impostazioni = impostazioni_for(comune=invio.comune)
    already = set(invio.solleciti.values_list("consumatore_id", "servizio"))
    for consumatore_id, servizio in invio.conti[invio.elaborati:]:
        sent = None
        if (consumatore_id, servizio) not in already:
            sent = sollecito_send(invio=invio, consumatore_id=consumatore_id, servizio=servizio,
                                  impostazioni=impostazioni)
        InvioSolleciti.objects.filter(pk=invio.pk).update(
            elaborati=F("elaborati") + 1,
            **({"inviati": F("inviati") + 1} if sent else {"saltati": F("saltati") + 1}),
        )
    InvioSolleciti.objects.filter(pk=invio.pk).update(stato=StatoInvio.COMPLETATO, completato_il=timezone.now(),
                                                      elaborati=invio.totale)
    invio.refresh_from_db()
    return invio


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


def sollecito_send(*, invio: InvioSolleciti, consumatore_id: int, servizio: str,
                   impostazioni: ImpostazioniSolleciti) -> Sollecito | None:
    """One reminder: register it (unique), make its pagoPA position, post it and e-mail the letter."""
    comune = invio.comune
    conto = conto_moroso(comune=comune, consumatore_id=consumatore_id, servizio=servizio)
    if conto is None:
        return None
    precedenti = {
        s.livello: s for s in Sollecito.objects.filter(consumatore_id=consumatore_id, servizio=servizio,
                                                        episodio=conto.episodio)
    }
    if livello_blocco(livello=invio.livello, precedenti=precedenti, giorni=impostazioni.giorni_tra_livelli,
                      now=timezone.now()):
        return None
    consumatore = Consumatore.objects.select_related("comune").get(pk=consumatore_id)
    tutori = list(Tutore.objects.filter(consumatore_id=consumatore_id).select_related("utente").order_by("pk"))
    accounts = [t.utente for t in tutori if t.utente_id and t.utente.is_active]
    try:
        with transaction.atomic():
            sollecito = Sollecito.objects.create(
                comune=comune, consumatore=consumatore, servizio=servizio, livello=invio.livello,
                episodio=conto.episodio, debito=conto.debito, invio=invio, inviato_da=invio.creato_da,
            )
            # The position is made exactly as RICARICA makes one, its key naming this reminder.
            posizione, _new = posizione_create(
                comune=comune, utente=accounts[0] if accounts else invio.creato_da,
                righe=[RigaCarrello(consumatore=consumatore, servizio=servizio, importo=conto.debito)],
                modalita=ModalitaPagamento.AVVISO, chiave_carrello=f"sollecito:{sollecito.pk}",
            )
            sollecito.posizione = posizione
            indirizzi = _indirizzi(tutori)
            sollecito.destinatari = ", ".join(indirizzi)
            sollecito.save(update_fields=["posizione", "destinatari"])
            titolo = OGGETTO.format(livello=sollecito.get_livello_display(), servizio=sollecito.get_servizio_display(),
                                    nome=consumatore.nome_completo, comune=comune)
            testo = _testo(sollecito)
            for user in accounts:
                # The portal message, push and App IO (the avviso payable in IO); the e-mail with the letter
                # attached goes out below, once.
                notifica_send(comune=comune, user=user, consumatore=consumatore, titolo=titolo, testo=testo,
                              chiave=f"sollecito:{sollecito.pk}", email=False, ambito_io=servizio,
                              pagamento=pagamento_of(posizione))
    except IntegrityError:
        return None  # another worker or an earlier run sent this level for this episode
    if indirizzi:
        _email(sollecito, titolo=titolo, testo=testo, indirizzi=indirizzi, impostazioni=impostazioni, tutori=tutori)
    return sollecito


def _indirizzi(tutori: list[Tutore]) -> list[str]:
    result: list[str] = []
    for tutore in tutori:
        address = (tutore.utente.email if tutore.utente_id else "") or tutore.email
        if address and address.lower() not in {a.lower() for a in result}:
            result.append(address)
    return result


def _testo(sollecito: Sollecito) -> str:
    return TESTO_EMAIL.format(
        livello=sollecito.get_livello_display(), debito=f"{sollecito.debito:.2f}".replace(".", ","),
        servizio=sollecito.get_servizio_display().lower(), nome=sollecito.consumatore.nome_completo,
        avviso=sollecito.posizione.numero_avviso_formattato, comune=sollecito.comune,
    )


def _email(sollecito: Sollecito, *, titolo: str, testo: str, indirizzi: list[str],
           impostazioni: ImpostazioniSolleciti, tutori: list[Tutore]) -> None:
    message = EmailMessage(subject=titolo, body=testo, from_email=settings.DEFAULT_FROM_EMAIL, to=indirizzi)
    message.attach(f"sollecito-{sollecito.posizione.numero_avviso}.pdf",
                   lettera_pdf(sollecito=sollecito, impostazioni=impostazioni, tutori=tutori), "application/pdf")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        # Refused by the mail server: shown in the register, the letter goes into the print batch.
        Sollecito.objects.filter(pk=sollecito.pk).update(esito_email=EsitoEmail.RIMBALZATA,
                                                         errore_email=str(error)[:300])
        return
    Sollecito.objects.filter(pk=sollecito.pk).update(esito_email=EsitoEmail.INVIATA)


def sollecito_bounce(*, sollecito: Sollecito, errore: str) -> None:
    """A bounce reported later by the mail server (DSN): shown in the register, letter to print."""
    Sollecito.objects.filter(pk=sollecito.pk).update(esito_email=EsitoEmail.RIMBALZATA, errore_email=errore[:300])


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

"""The reminder job: the office's selection cut into blocks that the Celery workers take in parallel.

A block reads its accounts in a few queries, registers each reminder with its pagoPA position and
portal message (one short transaction per account, as checkout makes a position), then renders the
block's letters in one WeasyPrint pass and e-mails them. What holds whatever the workers do:

- a level is sent once per account and debt episode: the unique key of `Sollecito`. A second click,
  a retried block or two workers on the same block: the loser's insert fails, it sends nothing;
- a block is counted once in the progress: its `BloccoContato` row (unique per job and start) and the
  counters' UPDATE commit together, a second count fails on the key, and the last block completes the job;
- the e-mails go out after the reminders are committed, at most once: a block interrupted between
  the two is retried without sending again (its reminders are in the register), and the letters it
  had not e-mailed stay "to print" in the bulk PDF;
- a job is never lost to a broker that was down when the office clicked: its row stays "in coda" without
  `accodato_il`, and beat's sweeper (`invii_in_sospeso_publish`, omnibus.publish) starts it once the broker
  takes it. Only queued jobs are swept: a running or completed one is never started again by it, and a
  start delivered twice (a crash between publishing and marking) queues only the blocks not counted yet.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, Sum
from django.utils import timezone
from django_scopes import scopes_disabled

from comuni.models import Comune, User
from consumatori.models import Consumatore, Tutore
from notifiche.io.messaggi import pagamento_of
from notifiche.services import notifica_send
from omnibus.publish import publish
from pagamenti.models import ModalitaPagamento, Movimento
from pagamenti.pagopa.services import RigaCarrello, posizione_create

from .lettera import lettera_context, lettere_pdf_separate
from .models import BloccoContato, EsitoEmail, ImpostazioniSolleciti, InvioSolleciti, Sollecito, StatoInvio
from .rimbalzi import intestazioni_for
from .selectors import ZERO, FiltriMorosi, Moroso, morosi_all
from .solleciti import NESSUN_MOROSO_ERROR, OGGETTO, impostazioni_for, indirizzi_of, livello_blocco, testo_email

logger = logging.getLogger(__name__)

# Accounts per block: small enough for a steady progress bar and for two workers to share a job of a
# few dozen letters, large enough that one WeasyPrint pass serves many letters.
BLOCCO = 25


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


def _enqueue(invio: InvioSolleciti) -> bool:
    """Hand the job's start to the broker; True once it took it (the row says when). With the broker down the
    job waits, "in coda", for the sweeper."""
    from .tasks import invio_solleciti_task

    if not publish(invio_solleciti_task, invio.comune_id, invio.pk):
        return False
    invio.accodato_il = timezone.now()
    with scopes_disabled():  # the sweeper runs outside any comune
        InvioSolleciti.objects.filter(pk=invio.pk).update(accodato_il=invio.accodato_il)
    return True


SWEEP_BATCH = 500


def invii_in_sospeso_publish(*, prima_di: datetime.datetime) -> int:
    """The sweeper (omnibus.publish, every minute): start the jobs queued before `prima_di` whose start the
    broker never took. Returns how many it took; stops at the first it still refuses."""
    with scopes_disabled():
        attesa = list(InvioSolleciti.objects.filter(stato=StatoInvio.IN_CODA, accodato_il__isnull=True,
                                                    creato_il__lte=prima_di)
                      .order_by("creato_il", "pk").only("pk", "comune_id")[:SWEEP_BATCH])
    taken = 0
    for invio in attesa:
        if not _enqueue(invio):
            logger.warning("reminder jobs: %s still waiting for the broker", len(attesa) - taken)
            break
        taken += 1
    return taken


def invio_start(*, invio: InvioSolleciti) -> list[int]:
    """Mark the job running; the starts of its blocks not counted yet (all of them the first time)."""
    InvioSolleciti.objects.filter(pk=invio.pk, stato=StatoInvio.IN_CODA).update(stato=StatoInvio.IN_CORSO)
    fatti = set(BloccoContato.objects.filter(invio=invio).values_list("inizio", flat=True))
    inizi = [inizio for inizio in range(0, len(invio.conti), BLOCCO) if inizio not in fatti]
    if not inizi:
        _complete(invio)
    return inizi


def invio_run(*, invio: InvioSolleciti) -> InvioSolleciti:
    """The whole job in this process, block after block (the demo, a retry by hand); safe to run again."""
    for inizio in invio_start(invio=invio):
        blocco_run(invio=invio, inizio=inizio)
    invio.refresh_from_db()
    return invio


def blocco_run(*, invio: InvioSolleciti, inizio: int) -> int:
    """Send the reminders of one block of the job; returns how many this call sent."""
    if BloccoContato.objects.filter(invio=invio, inizio=inizio).exists():
        return 0  # counted already: a duplicated or late delivery of the block
    conti = [(int(pk), str(servizio)) for pk, servizio in invio.conti[inizio:inizio + BLOCCO]]
    ids = {pk for pk, _s in conti}
    registrati = set(invio.solleciti.filter(consumatore_id__in=ids).values_list("consumatore_id", "servizio"))
    da_fare = [conto for conto in conti if conto not in registrati]
    impostazioni = impostazioni_for(comune=invio.comune)
    lettere = _register(invio=invio, conti=da_fare, impostazioni=impostazioni) if da_fare else []
    _send(lettere, impostazioni=impostazioni)
    _count(invio=invio, inizio=inizio, conti=conti)
    return len(lettere)


@dataclass
class _Lettera:
    sollecito: Sollecito
    tutori: list[Tutore]
    indirizzi: list[str]
    titolo: str
    testo: str


def _debts(conti: list[tuple[int, str]]) -> dict[tuple[int, str], Moroso]:
    """The current state of the block's accounts in debit, read again now (one query)."""
    wanted = set(conti)
    righe = (Movimento.objects.filter(consumatore_id__in={pk for pk, _s in conti})
             .values("consumatore_id", "servizio")
             .annotate(saldo=Sum("importo"), ultimo_credito=Max("id", filter=Q(importo__gt=0))))
    return {
        (r["consumatore_id"], r["servizio"]): Moroso(
            consumatore_id=r["consumatore_id"], servizio=r["servizio"], saldo=r["saldo"].quantize(ZERO),
            ultimo_credito=r["ultimo_credito"], ultimo_pagamento=None, debito_dal=None, prezzo_pasto=None)
        for r in righe if (r["consumatore_id"], r["servizio"]) in wanted and r["saldo"] < 0
    }


def _register(*, invio: InvioSolleciti, conti: list[tuple[int, str]],
              impostazioni: ImpostazioniSolleciti) -> list[_Lettera]:
    """Register each reminder the rules allow, with its position and portal message; the letters to send."""
    debiti = _debts(conti)
    ids = {pk for pk, _s in debiti}
    precedenti: dict[tuple[int, str, str], dict[str, Sollecito]] = {}
    for sollecito in Sollecito.objects.filter(consumatore_id__in=ids,
                                              episodio__in={m.episodio for m in debiti.values()}):
        precedenti.setdefault((sollecito.consumatore_id, sollecito.servizio, sollecito.episodio), {})[
            sollecito.livello] = sollecito
    consumatori = Consumatore.objects.select_related("comune").in_bulk(list(ids))
    tutori: dict[int, list[Tutore]] = {}
    for tutore in Tutore.objects.filter(consumatore_id__in=ids).select_related("utente").order_by("pk"):
        tutori.setdefault(tutore.consumatore_id, []).append(tutore)
    now = timezone.now()
    lettere = []
    for conto in conti:
        debito = debiti.get(conto)
        if debito is None or conto[0] not in consumatori:
            continue
        if livello_blocco(livello=invio.livello, giorni=impostazioni.giorni_tra_livelli, now=now,
                          precedenti=precedenti.get((*conto, debito.episodio), {})):
            continue
        lettera = _register_one(invio=invio, conto=debito, consumatore=consumatori[conto[0]],
                                tutori=tutori.get(conto[0], []))
        if lettera is not None:
            lettere.append(lettera)
    return lettere


def _register_one(*, invio: InvioSolleciti, conto: Moroso, consumatore: Consumatore,
                  tutori: list[Tutore]) -> _Lettera | None:
    comune = invio.comune
    accounts = [t.utente for t in tutori if t.utente_id and t.utente.is_active]
    indirizzi = indirizzi_of(tutori)
    try:
        with transaction.atomic():
            sollecito = Sollecito.objects.create(
                comune=comune, consumatore=consumatore, servizio=conto.servizio, livello=invio.livello,
                episodio=conto.episodio, debito=conto.debito, invio=invio, inviato_da=invio.creato_da,
                destinatari=", ".join(indirizzi),
            )
            # The position is made exactly as RICARICA makes one, its key naming this reminder.
            posizione, _new = posizione_create(
                comune=comune, utente=accounts[0] if accounts else invio.creato_da,
                righe=[RigaCarrello(consumatore=consumatore, servizio=conto.servizio, importo=conto.debito)],
                modalita=ModalitaPagamento.AVVISO, chiave_carrello=f"sollecito:{sollecito.pk}",
            )
            sollecito.posizione = posizione
            Sollecito.objects.filter(pk=sollecito.pk).update(posizione=posizione)
            titolo = OGGETTO.format(livello=sollecito.get_livello_display(), servizio=sollecito.get_servizio_display(),
                                    nome=consumatore.nome_completo, comune=comune)
            testo = testo_email(sollecito)
            for user in accounts:
                # The portal message, push and App IO (the avviso payable in IO); the e-mail with the letter
                # attached goes out after commit, once.
                notifica_send(comune=comune, user=user, consumatore=consumatore, titolo=titolo, testo=testo,
                              chiave=f"sollecito:{sollecito.pk}", email=False, ambito_io=conto.servizio,
                              pagamento=pagamento_of(posizione))
    except IntegrityError:
        return None  # another worker or an earlier run sent this level for this episode
    return _Lettera(sollecito=sollecito, tutori=tutori, indirizzi=indirizzi, titolo=titolo, testo=testo)


def _send(lettere: list[_Lettera], *, impostazioni: ImpostazioniSolleciti) -> None:
    """Render the block's letters with an address in one pass and e-mail each, over one connection."""
    lettere = [lettera for lettera in lettere if lettera.indirizzi]
    if not lettere:
        return
    pdfs = lettere_pdf_separate(lettere=[
        lettera_context(sollecito=lettera.sollecito, impostazioni=impostazioni, tutori=lettera.tutori)
        for lettera in lettere
    ])
    consegnate = []
    connection = get_connection()
    try:
        for lettera, pdf in zip(lettere, pdfs, strict=True):
            sollecito = lettera.sollecito
            errori = []
            # One e-mail per guardian: separated parents never see each other's address.
            for copia, indirizzo in enumerate(lettera.indirizzi):
                # The envelope sender (where bounces go) may be the bounce mailbox, the From the usual sender;
                # the Message-ID names the reminder, for the bounce to find it (ufficio.rimbalzi).
                message = EmailMessage(
                    subject=lettera.titolo, body=lettera.testo, to=[indirizzo],
                    from_email=settings.BOUNCE_ADDRESS or settings.DEFAULT_FROM_EMAIL,
                    headers={"From": settings.DEFAULT_FROM_EMAIL, **intestazioni_for(sollecito, copia)},
                    connection=connection)
                message.attach(f"sollecito-{sollecito.posizione.numero_avviso}.pdf", pdf, "application/pdf")
                try:
                    message.send()
                except (smtplib.SMTPException, OSError) as error:
                    errori.append(f"{indirizzo}: {error}")
                    connection.close()  # a broken session is opened again for the next e-mail
            if errori:
                # Refused by the mail server: shown in the register, the letter goes into the print batch.
                Sollecito.objects.filter(pk=sollecito.pk).update(esito_email=EsitoEmail.RIMBALZATA,
                                                                 errore_email="; ".join(errori)[:300])
                continue
            consegnate.append(sollecito.pk)
    finally:
        connection.close()
    Sollecito.objects.filter(pk__in=consegnate).update(esito_email=EsitoEmail.INVIATA)


def _count(*, invio: InvioSolleciti, inizio: int, conti: list[tuple[int, str]]) -> None:
    """Add the block to the progress once (whoever ran it), then complete the job if it was the last."""
    ids = {pk for pk, _s in conti}
    inviati = len(set(conti) & set(
        invio.solleciti.filter(consumatore_id__in=ids).values_list("consumatore_id", "servizio")))
    try:
        with transaction.atomic():
            BloccoContato.objects.create(comune_id=invio.comune_id, invio=invio, inizio=inizio)
            InvioSolleciti.objects.filter(pk=invio.pk).update(
                elaborati=F("elaborati") + len(conti), inviati=F("inviati") + inviati,
                saltati=F("saltati") + len(conti) - inviati,
            )
    except IntegrityError:
        return  # counted by an earlier or concurrent run of the same block
    _complete(invio)


def _complete(invio: InvioSolleciti) -> None:
    InvioSolleciti.objects.filter(pk=invio.pk, elaborati__gte=F("totale")).exclude(
        stato=StatoInvio.COMPLETATO).update(stato=StatoInvio.COMPLETATO, completato_il=timezone.now())

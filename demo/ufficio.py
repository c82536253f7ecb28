"""Demo history for the school office: the school year so far debited night by night, monthly top-ups
through every channel (pagoPA online, avviso paid at a PSP, PuntoLIS), a few families left in debt and
a 1° sollecito sent to three of them (one already paid, one e-mail bounced), with the letters to post
(no e-mail, bounced) ready to print, so the cruscotto, the debtors, the reports and the families'
"pasti consumati" are not empty on a fresh `make run`. Idempotent: every write has a key."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from comuni.models import Comune, Incarico, Ruolo
from consumatori.models import AnnoScolastico, Consumatore, Tutore
from mensa.addebito import meal_debit_run, presenti_queryset
from mensa.models import IscrizioneMensa
from mensa.prezzi import prezzi_del_giorno
from pagamenti.models import ModalitaPagamento, Posizione, Servizio, StatoPosizione
from pagamenti.pagopa.gateway import RicevutaGateway
from pagamenti.pagopa.services import RigaCarrello, posizione_create, posizione_simulate_psp_payment, ricevuta_receive
from pagamenti.puntolis.adapter import NotificaLIS
from pagamenti.puntolis.services import lis_ricarica_register

from . import data

ROME = datetime.timezone(datetime.timedelta(hours=1))
# Families without an account who never top up: a few children per comune fall into debt and are
# suspended (the debtors' page, the reminders and the suspensions have something to show); every other
# family tops up each month, as most families of a real comune do.
MOROSI_PER_COMUNE = 5


def _mesi(dal: datetime.date, al: datetime.date) -> list[datetime.date]:
    mesi, mese = [], dal.replace(day=1)
    while mese <= al:
        mesi.append(mese)
        mese = (mese + datetime.timedelta(days=32)).replace(day=1)
    return mesi


def _costo_mese(comune: Comune, giorni: list[datetime.date], ids: set[int]) -> dict[int, Decimal]:
    """What the nightly debit will charge these consumers over these days (the same rule it uses)."""
    costo: dict[int, Decimal] = dict.fromkeys(ids, Decimal("0.00"))
    for giorno in giorni:
        prezzi = prezzi_del_giorno(comune=comune, giorno=giorno)
        for consumatore_id, tariffa_id in presenti_queryset(comune=comune, giorno=giorno).filter(
            consumatore_id__in=ids
        ).values_list("consumatore_id", "tariffa_id").distinct():
            costo[consumatore_id] += prezzi.get(tariffa_id) or Decimal("0.00")
    return costo


def _ricarica(comune: Comune, consumatore: Consumatore, utente, canale: int, quando: datetime.datetime,
              importo: Decimal) -> None:
    chiave = f"demo-ufficio-{consumatore.pk}-{quando:%Y%m}"
    if utente is None or canale == 2:
        lis_ricarica_register(comune=comune, notifica=NotificaLIS(
            transaction_id=f"DEMO-LIS-{consumatore.pk}-{quando:%Y%m}", payment_code=consumatore.codice_pagamento,
            amount=importo, service=Servizio.MENSA, paid_at=quando))
        return
    modalita = ModalitaPagamento.ONLINE if canale == 0 else ModalitaPagamento.AVVISO
    posizione, _ = posizione_create(comune=comune, utente=utente, modalita=modalita, chiave_carrello=chiave,
                                    righe=[RigaCarrello(consumatore, Servizio.MENSA, importo)])
    ricevuta_receive(comune=comune, origine="sandbox", ricevuta=RicevutaGateway(
        identificativo=f"DEMO-UFF-{posizione.numero_avviso}", numero_avviso=posizione.numero_avviso,
        importo=posizione.importo, psp="Checkout sandbox" if canale == 0 else "Tabaccheria (ITB)",
        pagata_il=quando))


def _seed_comune(comune: Comune) -> None:
    from ufficio.invio import invio_run
    from ufficio.models import InvioSolleciti, Sollecito
    from ufficio.selectors import FiltriMorosi, morosi_all
    from ufficio.solleciti import solleciti_mark_paid

    oggi = timezone.localdate()
    anno = AnnoScolastico.objects.filter(comune=comune, nome=data.ANNO_SCOLASTICO[0]).first()
    if anno is None or anno.data_inizio >= oggi:
        return
    rng = random.Random(f"omnibus-ufficio-{comune.slug}")  # noqa: S311 - demo data
    consumatori = list(Consumatore.objects.filter(comune=comune).order_by("pk"))
    account = {t.consumatore_id: t.utente for t in Tutore.objects.filter(comune=comune, utente__isnull=False)
               .select_related("utente")}
    esenti = set(IscrizioneMensa.objects.filter(comune=comune, tariffa__esenzione=True)
                 .values_list("consumatore_id", flat=True))
    candidati = [c for c in consumatori if c.pk not in account and c.pk not in esenti]
    morosi_ids = {c.pk for c in rng.sample(candidati, k=min(MOROSI_PER_COMUNE, len(candidati)))}
    paganti = [c for c in consumatori if c.pk not in morosi_ids]
    ieri = oggi - datetime.timedelta(days=1)
    for numero, mese in enumerate(_mesi(anno.data_inizio, ieri)):
        primo = max(mese, anno.data_inizio)
        fine = min((mese + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1), ieri)
        giorni = [primo + datetime.timedelta(days=n) for n in range((fine - primo).days + 1)]
        # The demo families (with an account) top up exactly the month's meals: their balances stay the
        # ones the canteen demo gives them; the other payers top up a round figure.
        costo = _costo_mese(comune, giorni, set(account))
        quando = datetime.datetime.combine(primo, datetime.time(8, 30), tzinfo=ROME)
        for indice, consumatore in enumerate(paganti):
            importo = costo.get(consumatore.pk) if consumatore.pk in account else Decimal(rng.choice([60, 80, 100]))
            if importo:
                _ricarica(comune, consumatore, account.get(consumatore.pk), (indice + numero) % 3, quando, importo)
        for giorno in giorni:
            meal_debit_run(comune=comune, giorno=giorno)  # once per day: a second seed returns at once

    # Half of the families left in debt gave the office an e-mail address (the letters go by e-mail),
    # the others get theirs on paper.
    for consumatore in [c for c in consumatori if c not in paganti][::2]:
        for tutore in Tutore.objects.filter(consumatore=consumatore, utente__isnull=True, email=""):
            nome = f"{tutore.nome}.{tutore.cognome}".lower().replace("'", "").replace(" ", "")
            Tutore.objects.filter(pk=tutore.pk).update(email=f"{nome}@famiglie.{comune.slug}.example")

    ufficio = Incarico.objects.filter(comune=comune, ruolo=Ruolo.UFFICIO_SCUOLA).select_related("user").first()
    if ufficio is None or Sollecito.objects.filter(comune=comune).exists():
        return
    morosi = morosi_all(comune=comune, filtri=FiltriMorosi(servizio=Servizio.MENSA), oggi=oggi, completi=False)[:3]
    if not morosi:
        return
    invio = InvioSolleciti.objects.create(comune=comune, livello="primo", creato_da=ufficio.user,
                                          conti=[[m.consumatore_id, m.servizio] for m in morosi], totale=len(morosi))
    invio_run(invio=invio)
    # One family paid the avviso of its letter at a tobacconist: the register shows it paid.
    primo_sollecito = Sollecito.objects.filter(invio=invio).order_by("pk").first()
    if primo_sollecito and primo_sollecito.posizione_id:
        posizione = Posizione.objects.select_related("comune").get(pk=primo_sollecito.posizione_id)
        if posizione.stato == StatoPosizione.IN_ATTESA:
            posizione_simulate_psp_payment(posizione=posizione, psp="Tabaccheria (ITB)")
        # The credit's signal runs after commit; the register is updated now, the signal finds it done.
        solleciti_mark_paid(consumatore_id=primo_sollecito.consumatore_id, servizio=primo_sollecito.servizio)
    _rimbalzo(invio)


# A DSN as a mail server writes one (RFC 3464 §2), returning the original headers of the reminder.
DSN_DEMO = """From: MAILER-DAEMON@mx.famiglie.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"

--dsn
Content-Type: text/plain

Your message could not be delivered to {indirizzo}.

--dsn
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.famiglie.example

Final-Recipient: rfc822; {indirizzo}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <{indirizzo}>: Recipient address rejected: User unknown

--dsn
Content-Type: text/rfc822-headers

{intestazioni}

--dsn--
"""


def _rimbalzo(invio) -> None:
    """The last letter e-mailed in the demo job bounced: the register shows it, the letter is to print."""
    import email

    from ufficio.models import EsitoEmail, Sollecito
    from ufficio.rimbalzi import intestazioni_for, rimbalzo_process

    sollecito = Sollecito.objects.filter(invio=invio, esito_email=EsitoEmail.INVIATA, pagato_il__isnull=True
                                         ).order_by("pk").last()
    if sollecito is None:
        return
    indirizzo = sollecito.destinatari.split(",")[0].strip()
    intestazioni = "\n".join(f"{k}: {v}" for k, v in {"To": indirizzo, **intestazioni_for(sollecito)}.items())
    rimbalzo_process(email.message_from_string(DSN_DEMO.format(indirizzo=indirizzo, intestazioni=intestazioni)))


def _seed_stampa(comune: Comune) -> None:
    """The demo job's letters that went to no e-mail, prepared as the office's click prepares them."""
    from ufficio.esportazioni import esportazione_run
    from ufficio.models import Esportazione, InvioSolleciti
    from ufficio.stampa import LETTERE, da_stampare

    invio = InvioSolleciti.objects.filter(comune=comune).select_related("comune").order_by("pk").first()
    if invio is None or invio.stampe.exists() or not da_stampare(invio).exists():
        return
    esportazione = Esportazione.objects.create(comune=comune, report=LETTERE, formato="pdf", invio=invio,
                                               creato_da=invio.creato_da, parametri={"invio": invio.pk})
    esportazione_run(esportazione=esportazione)


def demo_ufficio_seed() -> None:
    """Run for every demo comune (inside demo_seed, scopes disabled)."""
    for spec in data.COMUNI:
        comune = Comune.objects.filter(slug=spec["slug"]).first()
        if comune is not None:
            _seed_comune(comune)
            _seed_stampa(comune)

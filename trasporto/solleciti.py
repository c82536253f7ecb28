"""Reminders to families in transport debt: one e-mail per debt threshold crossed.

`sollecito_trasporto_send` is the only place that talks to families: guardians with an account get
a portal message (and its e-mail) through the notifications app, the others an e-mail.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from comuni.models import Comune, User
from consumatori.models import Consumatore
from notifiche.services import notifica_send
from omnibus.formats import importo_it

from .models import SollecitoTrasporto
from .selectors import Debitore, debitori_trasporto
from .services import impostazioni_for

SOLLECITO_OGGETTO = "Trasporto scolastico: mensilità da pagare per {nome}"
SOLLECITO_TESTO = (
    "Gentile famiglia,\n\n"
    "il conto del trasporto scolastico di {nome} presenta un debito di {debito} €.\n"
    "Può saldarlo dal portale {comune}: CITTADINO → RICARICA, scegliendo il conto del trasporto, "
    "con pagoPA oppure presso un PuntoLIS.\n\n"
    "Se ha già pagato, non tenga conto di questo messaggio.\n\n"
    "Ufficio scuola – {comune}\n"
)


def sollecito_trasporto_send(*, comune: Comune, debitore: Debitore, soglia: Decimal) -> list[str]:
    """Remind the guardians of a consumer in debt, once per call; returns the addresses reached."""
    nome = f"{debitore.nome} {debitore.cognome}"
    debito = importo_it(debitore.debito)
    titolo = SOLLECITO_OGGETTO.format(nome=nome)
    testo = SOLLECITO_TESTO.format(nome=nome, debito=debito, comune=str(comune))
    accounts = list(User.objects.filter(tutele__consumatore_id=debitore.consumatore_id, is_active=True).distinct())
    if accounts:
        consumatore = Consumatore.objects.get(pk=debitore.consumatore_id)
        for user in accounts:
            notifica_send(comune=comune, user=user, titolo=titolo, testo=testo, consumatore=consumatore,
                          ambito_io="trasporto")
    reached = {user.email.lower() for user in accounts}
    others = [e.strip() for e in debitore.email.split(",") if e.strip() and e.strip().lower() not in reached]
    for address in others:  # one e-mail per guardian: separated parents never see each other's address
        send_mail(titolo, testo, settings.DEFAULT_FROM_EMAIL, [address])
    return sorted(reached) + others


def solleciti_trasporto_run(*, comune: Comune) -> int:
    """Tell every family whose transport debt crossed a new threshold, once; reopen a threshold
    when the debt falls back below it. Runs inside the comune's scope; returns e-mails sent."""
    soglie = impostazioni_for(comune=comune).soglie
    debitori = {d.consumatore_id: d for d in debitori_trasporto()}
    aperti: dict[int, set[Decimal]] = {}
    da_chiudere = []
    for pk, consumatore_id, soglia in SollecitoTrasporto.objects.filter(chiuso_il__isnull=True).values_list(
        "pk", "consumatore_id", "soglia"
    ):
        debitore = debitori.get(consumatore_id)
        if debitore is None or debitore.debito < soglia:
            da_chiudere.append(pk)
        else:
            aperti.setdefault(consumatore_id, set()).add(soglia)
    if da_chiudere:
        SollecitoTrasporto.objects.filter(pk__in=da_chiudere).update(chiuso_il=timezone.now())

    sent = 0
    for consumatore_id, debitore in debitori.items():
        nuove = [s for s in soglie if debitore.debito >= s and s not in aperti.get(consumatore_id, set())]
        if not nuove:
            continue
        try:
            with transaction.atomic():
                for soglia in nuove:
                    SollecitoTrasporto.objects.create(
                        comune=comune, consumatore_id=consumatore_id, soglia=soglia, debito=debitore.debito,
                        destinatari=debitore.email,
                    )
        except IntegrityError:
            continue  # another run got there first and sent it
        # One e-mail even if several thresholds were crossed at once: the highest one.
        if sollecito_trasporto_send(comune=comune, debitore=debitore, soglia=max(nuove)):
            sent += 1
    return sent

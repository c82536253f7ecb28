""""I miei dati": what the portal holds about a family in one comune, and the erasure staff perform.

It reads across apps (children, ledger), so the imports of consumatori and pagamenti stay inside the
functions: comuni must not depend on them at import time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scope, scopes_disabled

from omnibus import stamps

from .models import Comune, ConsensoPrivacy, EventoAccesso, RichiestaCancellazione, StatoRichiesta, User

# Data that apps downstream of comuni hold about a family (e.g. iscrizioni's applications): each registers, in its
# AppConfig.ready, how to export it for "I miei dati" and how to erase it when staff accept an erasure request.
Esporta = Callable[..., list[dict]]
Cancella = Callable[..., object]
_SEZIONI: dict[str, tuple[Esporta, Cancella]] = {}


def dati_personali_register(nome: str, *, esporta: Esporta, cancella: Cancella) -> None:
    """esporta(user=, comune=) -> rows of "I miei dati" under `nome`; cancella(user=, comune=) on erasure."""
    _SEZIONI[nome] = (esporta, cancella)


CANCELLAZIONE_GIA_RICHIESTA = _("Hai già una richiesta di cancellazione in attesa per questo comune.")
CANCELLAZIONE_GIA_DECISA = _("Questa richiesta è già stata gestita.")
CANCELLAZIONE_MOTIVAZIONE = _("Indica la motivazione: la famiglia la riceverà.")


def dati_personali_export(*, user: User, comune: Comune) -> dict:
    """Account, consents, children and their ledger movements, push devices in this comune (a fixed number of
    queries)."""
    from urllib.parse import urlsplit

    from consumatori.selectors import consumatori_of_family
    from notifiche.models import DispositivoPush
    from pagamenti.models import Movimento

    with scope(comune=comune):
        dispositivi = list(DispositivoPush.objects.filter(user=user).values("nome", "endpoint", "creato_il"))
        consumatori = list(consumatori_of_family(user=user))
        movimenti = list(
            Movimento.objects.filter(consumatore__in=[c.pk for c in consumatori])
            .order_by("consumatore_id", "data_valuta", "pk")
            .values("consumatore_id", "servizio", "tipo", "importo", "data_valuta", "riferimento", "descrizione")
        )
        consensi = list(ConsensoPrivacy.objects.filter(utente=user).values("versione", "accettato_il"))
        sezioni = {nome: esporta(user=user, comune=comune) for nome, (esporta, _cancella) in _SEZIONI.items()}
    return {
        "comune": {"nome": comune.nome, "codice_fiscale": comune.codice_fiscale, "titolare_del_trattamento": True},
        "account": {
            "email": user.email, "nome": user.first_name, "cognome": user.last_name,
            "codice_fiscale": user.codice_fiscale or "", "codice_fiscale_verificato": user.codice_fiscale_verificato,
            "telefono": user.telefono, "registrato_il": user.date_joined.isoformat(),
        },
        "consensi_privacy": [
            {"versione": c["versione"], "accettato_il": c["accettato_il"].isoformat()} for c in consensi
        ],
        "consumatori": [
            {
                "id": c.pk, "nome": c.nome, "cognome": c.cognome, "codice_fiscale": c.codice_fiscale,
                "data_nascita": c.data_nascita.isoformat(), "codice_pagamento": c.codice_pagamento,
                "scuola": c.classe.scuola.nome if c.classe else "",
                "classe": c.classe.denominazione if c.classe else "",
                "dieta_speciale": c.dieta_speciale, "note_dieta": c.note_dieta,
            }
            for c in consumatori
        ],
        # The devices that get push notifications: not their keys, which only the push service needs.
        "dispositivi_push": [
            {"nome": d["nome"], "servizio_di_notifica": urlsplit(d["endpoint"]).hostname or "",
             "attivato_il": d["creato_il"].isoformat()}
            for d in dispositivi
        ],
        "movimenti": [
            {
                "consumatore_id": m["consumatore_id"], "servizio": m["servizio"], "tipo": m["tipo"],
                "importo": str(m["importo"]), "data": m["data_valuta"].isoformat(),
                "riferimento": m["riferimento"], "descrizione": m["descrizione"],
            }
            for m in movimenti
        ],
        **sezioni,
    }


def dati_personali_csv(data: dict) -> str:
    """The same data as one CSV: a "sezione" column says which part each row belongs to."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["sezione", "campo", "valore"])
    for key, value in data["account"].items():
        writer.writerow(["account", key, value])
    for consenso in data["consensi_privacy"]:
        writer.writerow(["consenso_privacy", consenso["versione"], consenso["accettato_il"]])
    for c in data["consumatori"]:
        for key, value in c.items():
            writer.writerow([f"consumatore {c['id']}", key, value])
    for d in data["dispositivi_push"]:
        writer.writerow(["dispositivo_push", d["nome"] or d["servizio_di_notifica"], d["attivato_il"]])
    for nome in _SEZIONI:
        for n, riga in enumerate(data.get(nome, []), start=1):
            for key, value in riga.items():
                writer.writerow([f"{nome} {n}", key, value])
    writer.writerow([])
    writer.writerow(
        ["movimenti", "consumatore_id", "servizio", "tipo", "importo", "data", "riferimento", "descrizione"]
    )
    for m in data["movimenti"]:
        writer.writerow(["movimento", m["consumatore_id"], m["servizio"], m["tipo"], m["importo"], m["data"],
                         m["riferimento"], m["descrizione"]])
    return out.getvalue()


def richiesta_cancellazione_create(*, user: User, comune: Comune) -> RichiestaCancellazione:
    """The family asks for erasure; staff of the comune handle it in the admin."""
    with scope(comune=comune):
        if RichiestaCancellazione.objects.filter(utente=user, stato=StatoRichiesta.IN_ATTESA).exists():
            raise ValidationError(CANCELLAZIONE_GIA_RICHIESTA, code="already_requested")
        return RichiestaCancellazione.objects.create(comune=comune, utente=user, email=user.email)


@transaction.atomic
def richiesta_cancellazione_decide(
    *, richiesta: RichiestaCancellazione, staff: User, accolta: bool, motivazione: str
) -> RichiestaCancellazione:
    """Accepted: the account loses its children in this comune; if it has none left anywhere it is
    anonymised (name, codice fiscale, e-mail, phone, identity links, login history). What the other apps
    registered goes too (dati_personali_register: the enrolment applications and their certificates). Payments stay:
    the ledger is kept as the law requires, and its rows name the child, not the account."""
    from consumatori.models import Tutore
    from notifiche.models import DispositivoPush

    if not (motivazione or "").strip():
        raise ValidationError(CANCELLAZIONE_MOTIVAZIONE, code="reason_required")
    with scope(comune=richiesta.comune):
        richiesta = RichiestaCancellazione.objects.select_for_update().get(pk=richiesta.pk)
        if richiesta.stato != StatoRichiesta.IN_ATTESA:
            raise ValidationError(CANCELLAZIONE_GIA_DECISA, code="already_decided")
        user = richiesta.utente
        if accolta and user is not None:
            Tutore.objects.filter(utente=user).update(utente=None, collegato_il=None)
            DispositivoPush.objects.filter(user=user).delete()  # this comune's pushes to the family's phones
            for _esporta, cancella in _SEZIONI.values():  # the applications and their certificates, ...
                cancella(user=user, comune=richiesta.comune)
            stamps.utenti_changed([user.pk])  # update(): no model signal
            with scopes_disabled():
                still_linked = Tutore.objects.filter(utente=user).exists()
            if not still_linked:
                user_anonymise(user=user)
            richiesta.email = f"anonimo-{user.pk}@anonimo.invalid" if not still_linked else richiesta.email
        richiesta.stato = StatoRichiesta.ACCOLTA if accolta else StatoRichiesta.RESPINTA
        richiesta.motivazione = motivazione.strip()
        richiesta.gestita_da = staff
        richiesta.gestita_il = timezone.now()
        richiesta.save()
    return richiesta


def user_anonymise(*, user: User) -> None:
    """Remove what identifies a person from an account that no comune links any more."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    EventoAccesso.objects.filter(utente=user).update(email="", indirizzo_ip=None)
    user.email = f"anonimo-{user.pk}@anonimo.invalid"
    user.first_name = ""
    user.last_name = ""
    user.codice_fiscale = None
    user.codice_fiscale_verificato = False
    user.telefono = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()

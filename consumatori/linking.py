"""Linking family accounts to the guardians a comune recorded: writes and the reads they need.

Three ways, and only three, give an account a child:
- its codice fiscale came from SPID/CIE and matches a guardian recorded by the comune (automatic);
- a one-time linking code printed or e-mailed by staff (single use, expiring, rate-limited);
- staff accept a "richiedi associazione" request, with a reason.
A typed codice fiscale alone links nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scope, scopes_disabled

from comuni.models import Comune, User
from comuni.validators import normalize_codice_fiscale
from omnibus import stamps

from .models import (
    LINK_CODE_ALPHABET,
    LINK_CODE_LENGTH,
    CodiceCollegamento,
    Consumatore,
    RichiestaAssociazione,
    StatoAssociazione,
    Tutore,
)

LINK_CODE_VALID_DAYS = 30
LINK_CODE_INVALID = _(
    "Codice di collegamento non valido, già usato o scaduto. Controlla di averlo scritto bene "
    "o chiedi un nuovo codice all'ufficio scuola."
)
LINK_CODE_LOCKED = _(
    "Troppi tentativi con il codice di collegamento: per sicurezza puoi riprovare tra un'ora. "
    "Se il codice non funziona, contatta l'ufficio scuola."
)
LINK_CODE_ALREADY_LINKED = _("Questo codice è già stato usato da un altro account.")
REQUEST_REASON_REQUIRED = _("Indica la motivazione della decisione: la famiglia la leggerà.")
REQUEST_ALREADY_DECIDED = _("Questa richiesta è già stata decisa.")
REQUEST_CONSUMER_NOT_FOUND = _("Nessun alunno con questo codice fiscale nel comune: non si può accogliere.")
REQUEST_ALREADY_OPEN = _("Hai già una richiesta in attesa per questo alunno.")


def link_code_normalize(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def link_code_digest(code: str) -> str:
    """Keyed hash of a code: the database holds no usable code."""
    return hmac.new(settings.SECRET_KEY.encode(), link_code_normalize(code).encode(), hashlib.sha256).hexdigest()


def link_code_format(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def codice_collegamento_create(
    *, tutore: Tutore, creato_da: User | None, valid_days: int = LINK_CODE_VALID_DAYS
) -> tuple[CodiceCollegamento, str]:
    """A new one-time code for a guardian; returns the row and the code in clear (shown once)."""
    code = "".join(secrets.choice(LINK_CODE_ALPHABET) for _ in range(LINK_CODE_LENGTH))
    with scope(comune=tutore.comune):
        row = CodiceCollegamento.objects.create(
            comune=tutore.comune, tutore=tutore, impronta=link_code_digest(code), creato_da=creato_da,
            scade_il=timezone.now() + datetime.timedelta(days=valid_days),
        )
    return row, link_code_format(code)


def _link_tutore(*, tutore: Tutore, user: User) -> Tutore:
    """Give the account this guardian's child (idempotent when the account already has the child)."""
    existing = Tutore.objects.filter(consumatore_id=tutore.consumatore_id, utente=user).first()
    if existing is not None:
        return existing
    tutore.utente = user
    tutore.collegato_il = timezone.now()
    tutore.save(update_fields=["utente", "collegato_il"])
    return tutore


@transaction.atomic
def codice_collegamento_redeem(*, comune: Comune, user: User, code: str) -> Tutore:
    """Use a linking code in the comune of the URL: single use, not expired, of this comune only."""
    with scope(comune=comune):
        row = (
            CodiceCollegamento.objects.select_for_update()
            .select_related("tutore")
            .filter(comune=comune, impronta=link_code_digest(code), usato_il__isnull=True, scade_il__gt=timezone.now())
            .first()
        )
        if row is None:
            raise ValidationError(LINK_CODE_INVALID, code="link_code_invalid")
        tutore = row.tutore
        if tutore.utente_id is not None and tutore.utente_id != user.pk:
            raise ValidationError(LINK_CODE_ALREADY_LINKED, code="link_code_taken")
        row.usato_il = timezone.now()
        row.usato_da = user
        row.save(update_fields=["usato_il", "usato_da"])
        return _link_tutore(tutore=tutore, user=user)


def tutele_link_by_codice_fiscale(*, user: User) -> int:
    """Link every guardian row, in every comune, whose codice fiscale is the account's SPID/CIE one."""
    if not user.codice_fiscale or not user.codice_fiscale_verificato:
        return 0
    # A cross-comune write by design: one identity, one account, a link in each comune.
    with scopes_disabled():
        linked = (
            Tutore.objects.filter(codice_fiscale=user.codice_fiscale, utente__isnull=True)
            .exclude(consumatore__tutori__utente=user)
            .update(utente=user, collegato_il=timezone.now())
        )
    stamps.utenti_changed([user.pk])  # update(): no model signal; the account's children changed
    return linked


def richiesta_associazione_create(
    *, comune: Comune, user: User, codice_fiscale_consumatore: str, relazione: str, messaggio: str = ""
) -> RichiestaAssociazione:
    """"Richiedi associazione": staff will decide; nothing is linked now."""
    code = normalize_codice_fiscale(codice_fiscale_consumatore)
    with scope(comune=comune):
        if RichiestaAssociazione.objects.filter(
            comune=comune, utente=user, codice_fiscale_consumatore=code, stato=StatoAssociazione.IN_ATTESA
        ).exists():
            raise ValidationError(REQUEST_ALREADY_OPEN, code="request_open")
        richiesta = RichiestaAssociazione(
            comune=comune, utente=user, codice_fiscale_consumatore=code, relazione=relazione, messaggio=messaggio
        )
        richiesta.full_clean()
        richiesta.save()
    return richiesta


@transaction.atomic
def richiesta_associazione_decide(
    *, richiesta: RichiestaAssociazione, staff: User, accolta: bool, motivazione: str
) -> RichiestaAssociazione:
    """Staff accept (the account gets the child) or refuse a request, always with a reason."""
    if not (motivazione or "").strip():
        raise ValidationError(REQUEST_REASON_REQUIRED, code="reason_required")
    with scope(comune=richiesta.comune):
        richiesta = RichiestaAssociazione.objects.select_for_update().get(pk=richiesta.pk)
        if richiesta.stato != StatoAssociazione.IN_ATTESA:
            raise ValidationError(REQUEST_ALREADY_DECIDED, code="already_decided")
        if accolta:
            consumatore = Consumatore.objects.filter(
                comune=richiesta.comune, codice_fiscale=richiesta.codice_fiscale_consumatore
            ).first()
            if consumatore is None:
                raise ValidationError(REQUEST_CONSUMER_NOT_FOUND, code="consumer_not_found")
            user = richiesta.utente
            tutore = None
            if user.codice_fiscale:
                tutore = Tutore.objects.filter(
                    consumatore=consumatore, codice_fiscale=user.codice_fiscale, utente__isnull=True
                ).first()
            if tutore is None:
                tutore = Tutore.objects.filter(consumatore=consumatore, utente=user).first() or Tutore(
                    comune=richiesta.comune, consumatore=consumatore, nome=user.first_name, cognome=user.last_name,
                    codice_fiscale="", relazione=richiesta.relazione, email=user.email, telefono=user.telefono,
                )
                if tutore.pk is None:
                    tutore.save()
            _link_tutore(tutore=tutore, user=user)
        richiesta.stato = StatoAssociazione.ACCOLTA if accolta else StatoAssociazione.RESPINTA
        richiesta.motivazione = motivazione.strip()
        richiesta.deciso_da = staff
        richiesta.deciso_il = timezone.now()
        richiesta.save(update_fields=["stato", "motivazione", "deciso_da", "deciso_il"])
    return richiesta


def richieste_of_family(*, user: User) -> QuerySet[RichiestaAssociazione]:
    """The account's requests in the current comune (runs inside the request's scope)."""
    return RichiestaAssociazione.objects.filter(utente=user).order_by("-creata_il")

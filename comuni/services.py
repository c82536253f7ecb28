"""Writes about comuni and staff."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.http import HttpRequest
from django_scopes import scope

from .models import Comune, ConsensoPrivacy, EventoAccesso, Incarico, Ruolo, User

# Apps whose data the municipal staff manage entirely from the admin.
STAFF_APPS = ("consumatori", "mensa", "trasporto", "pagamenti", "iscrizioni", "notifiche", "pwa", "ufficio",
              "attivazione")
ROLE_GROUPS = {Ruolo.UFFICIO_SCUOLA: "Ufficio scuola", Ruolo.OPERATORE_MENSA: "Operatore mensa"}


def role_groups_sync() -> None:
    """Create the role groups and give them their permissions; run after every migrate."""
    ufficio, _ = Group.objects.get_or_create(name=ROLE_GROUPS[Ruolo.UFFICIO_SCUOLA])
    perms = (
        Permission.objects.filter(content_type__app_label__in=STAFF_APPS)
        | Permission.objects.filter(
            content_type__app_label="comuni",
            codename__in=[
                "view_comune", "change_comune", "view_eventoaccesso", "view_consensoprivacy",
                "view_richiestacancellazione", "change_richiestacancellazione",
            ],
        )
        # The platform's schedules (nightly debit, warnings...) are shown to staff, not editable by them.
        | Permission.objects.filter(content_type__app_label="django_celery_beat", codename__startswith="view_")
    )
    ufficio.permissions.set(perms)
    operatore, _ = Group.objects.get_or_create(name=ROLE_GROUPS[Ruolo.OPERATORE_MENSA])
    operatore.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["consumatori", "mensa"], codename__startswith="view_")
    )


@transaction.atomic
def incarico_assign(*, user: User, comune: Comune, ruolo: str, scuole: Iterable | None = None) -> Incarico:
    """Give a user a staff role in a comune: admin access for the school office, none for operators."""
    incarico, _ = Incarico.objects.update_or_create(user=user, defaults={"comune": comune, "ruolo": ruolo})
    with scope(comune=comune):
        incarico.scuole.set(list(scuole or []))
    incarico_sync_user(incarico=incarico)
    return incarico


def incarico_sync_user(*, incarico: Incarico) -> None:
    """Keep the account's admin access and role group in line with its role."""
    user = incarico.user
    user.is_staff = incarico.ruolo == Ruolo.UFFICIO_SCUOLA or user.is_superuser
    user.save(update_fields=["is_staff"])
    user.groups.remove(*Group.objects.filter(name__in=ROLE_GROUPS.values()))
    user.groups.add(Group.objects.get_or_create(name=ROLE_GROUPS[Ruolo(incarico.ruolo)])[0])


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def evento_accesso_register(
    *, tipo: str, request: HttpRequest | None = None, user: User | None = None, email: str = "",
    dettaglio: str = "",
) -> EventoAccesso:
    """Append one line to the audit log of logins, failures and locks."""
    if user is not None and not email:
        email = user.email
    return EventoAccesso.objects.create(
        tipo=tipo, utente=user, email=(email or "")[:254], indirizzo_ip=_client_ip(request),
        comune=getattr(request, "comune", None) if request is not None else None, dettaglio=dettaglio[:200],
    )


def consenso_privacy_register(*, user: User, comune: Comune) -> ConsensoPrivacy:
    """Record that the account accepted the comune's current privacy notice (version and time)."""
    with scope(comune=comune):
        consenso, _ = ConsensoPrivacy.objects.get_or_create(
            comune=comune, utente=user, versione=comune.informativa_privacy_versione
        )
    return consenso

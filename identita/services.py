"""After a SPID/CIE login: the verified codice fiscale on the account, and its children linked."""

from __future__ import annotations

from django.http import HttpRequest
from django_scopes import scopes_disabled

from comuni.models import User
from consumatori.linking import tutele_link_by_codice_fiscale

from .claims import claims_of, codice_fiscale_from_claims


def identita_digitale_apply(*, user: User, extra_data: dict) -> int:
    """Store the codice fiscale vouched for by SPID/CIE and link the guardians recorded with it."""
    code = codice_fiscale_from_claims(claims_of(extra_data))
    needs_update = code is not None and (user.codice_fiscale != code or not user.codice_fiscale_verificato)
    if needs_update and not User.objects.filter(codice_fiscale=code).exclude(pk=user.pk).exists():
        user.codice_fiscale = code
        user.codice_fiscale_verificato = True
        user.save(update_fields=["codice_fiscale", "codice_fiscale_verificato"])
    return tutele_link_by_codice_fiscale(user=user)


def identita_digitale_after_login(*, request: HttpRequest, user: User, extra_data: dict) -> None:
    from django.contrib import messages

    from .messages import NESSUN_ALUNNO_TROVATO

    identita_digitale_apply(user=user, extra_data=extra_data)
    # Across comuni on purpose: the message is for someone no comune has recorded at all.
    with scopes_disabled():
        linked = user.tutele.exists()
    if not linked:
        messages.info(request, NESSUN_ALUNNO_TROVATO)

"""allauth adapter: open registration, Italian messages without user enumeration, audit of failures."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import TipoEvento
from .services import evento_accesso_register

# Same message whether or not the e-mail exists (no user enumeration).
CREDENZIALI_NON_VALIDE = _("Credenziali non valide: controlla l'indirizzo e-mail e la password.")
ACCESSO_BLOCCATO = _(
    "Troppi tentativi di accesso non riusciti: l'accesso è bloccato per qualche minuto. "
    "Riprova più tardi o reimposta la password."
)


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": CREDENZIALI_NON_VALIDE,
        "too_many_login_attempts": ACCESSO_BLOCCATO,
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Families register from their comune's page (/registrati/<comune>/): the consent is to that
        # comune's privacy notice. SPID/CIE sign-ups are decided by the social adapter.
        return getattr(request, "comune", None) is not None

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # A family that entered from /login/<comune>/ (or registered there) goes back to that comune.
        from django.urls import reverse

        from .views import COMUNE_SESSION_KEY

        slug = request.session.get(COMUNE_SESSION_KEY)
        if slug and not request.user.is_staff:
            return reverse("cittadino:home", kwargs={"comune": slug})
        return super().get_login_redirect_url(request)

    def get_email_verification_redirect_url(self, email_address) -> str:
        from django.urls import reverse

        from .views import COMUNE_SESSION_KEY

        slug = self.request.session.get(COMUNE_SESSION_KEY)
        if slug:
            if self.request.user.is_authenticated:
                return reverse("cittadino:home", kwargs={"comune": slug})
            return reverse("comune_login", kwargs={"comune": slug})
        return super().get_email_verification_redirect_url(email_address)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            evento_accesso_register(
                tipo=TipoEvento.BLOCCO, request=request, email=credentials.get("email", ""),
                dettaglio="troppi tentativi non riusciti",
            )
            raise

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        evento_accesso_register(
            tipo=TipoEvento.ACCESSO_FALLITO, request=request, email=credentials.get("email", "")
        )

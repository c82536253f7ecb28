"""allauth adapter: open registration, Italian messages without user enumeration, audit of failures."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .access import fresh_login_may_add_first_factor, staff_home_url
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
        # Staff land in their own area; a family that entered from /login/<comune>/ (or registered
        # there) goes back to that comune.
        from django.urls import reverse

        from .views import COMUNE_SESSION_KEY

        staff_home = staff_home_url(request.user)
        if staff_home is not None:
            return staff_home
        slug = request.session.get(COMUNE_SESSION_KEY)
        if slug:
            return reverse("cittadino:home", kwargs={"comune": slug})
        return super().get_login_redirect_url(request)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # A new clerk types the password once: setting up the first factor right after the login needs
        # no second prompt ("Conferma l'accesso"). Everything else keeps allauth's rule.
        if app == "allauth.mfa" and fresh_login_may_add_first_factor(context.request):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

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

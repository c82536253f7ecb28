"""The staff's TOTP set-up: allauth's page, leading where the account was going (or its home)."""

from __future__ import annotations

from allauth.mfa.totp.views import ActivateTOTPView
from django.contrib import messages
from django.utils.translation import gettext_lazy as _

from .access import access_second_factor_changed, after_second_factor_url, session_access

CODICI_DI_RECUPERO = _(
    "Conserva i codici di recupero: servono se perdi il telefono. Li trovi in /accounts/2fa/ "
    "(«Codici di recupero»), dopo aver confermato la password."
)


class AttivaTOTPView(ActivateTOTPView):
    """allauth's activation page (same URL and name); a staff account then goes on to its work."""

    def form_valid(self, form):
        response = super().form_valid(form)
        # The session has now passed a second factor: decided here, not at the commit of allauth's signal.
        access_second_factor_changed(self.request, self.request.user)
        return response

    def get_success_url(self) -> str:
        decision = session_access(self.request)
        if decision is None or not decision["staff"]:
            return super().get_success_url()
        if self.did_generate_recovery_codes:
            messages.info(self.request, CODICI_DI_RECUPERO)
        return after_second_factor_url(self.request)


attiva_totp = AttivaTOTPView.as_view()

"""How a SPID/CIE login finds or creates the account: by codice fiscale, never by a typed one alone."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.http import HttpRequest

from comuni.models import TipoEvento, User
from comuni.services import evento_accesso_register

from .claims import claims_of, codice_fiscale_from_claims


class IdentitaDigitaleAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if sociallogin.is_existing:
            return
        code = codice_fiscale_from_claims(claims_of(sociallogin.account.extra_data))
        if code is None:
            return
        holder = User.objects.filter(codice_fiscale=code).first()
        if holder is None:
            return
        if holder.codice_fiscale_verificato or self._same_verified_email(holder, sociallogin):
            # The same person: through the other button (SPID then CIE), or registered earlier
            # with credentials and the same verified e-mail.
            sociallogin.connect(request, holder)
            return
        # Someone typed this codice fiscale at registration: the identity provider's word wins.
        User.objects.filter(pk=holder.pk).update(codice_fiscale=None)
        evento_accesso_register(
            tipo=TipoEvento.ACCESSO, request=request, user=holder,
            dettaglio="codice fiscale digitato rimosso: appartiene a un'identità SPID/CIE",
        )

    @staticmethod
    def _same_verified_email(holder: User, sociallogin: SocialLogin) -> bool:
        email = (claims_of(sociallogin.account.extra_data).get("email") or "").lower()
        return bool(email) and EmailAddress.objects.filter(user=holder, email__iexact=email, verified=True).exists()

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict):
        user = super().populate_user(request, sociallogin, data)
        code = codice_fiscale_from_claims(claims_of(sociallogin.account.extra_data))
        if code is not None:
            user.codice_fiscale = code
            user.codice_fiscale_verificato = True
        return user

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        # SPID/CIE vouch for the person: the first login creates the account.
        return True

from __future__ import annotations

from allauth.account.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in, dispatch_uid="identita.after_login")
def _after_login(sender, request, user, **kwargs) -> None:
    sociallogin = kwargs.get("sociallogin")
    if sociallogin is not None and sociallogin.provider.id == "spidcie":
        from .services import identita_digitale_after_login

        identita_digitale_after_login(request=request, user=user, extra_data=sociallogin.account.extra_data)

"""Audit log entries for what allauth and Django report about accounts."""

from __future__ import annotations

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from .models import TipoEvento
from .services import evento_accesso_register


@receiver(auth_signals.user_logged_in, dispatch_uid="comuni.audit.login")
def _logged_in(sender, request, user, **kwargs) -> None:
    from .forms import apply_tablet_expiry

    if request is not None and hasattr(request, "session"):
        apply_tablet_expiry(request)
    evento_accesso_register(tipo=TipoEvento.ACCESSO, request=request, user=user)


@receiver(auth_signals.user_logged_out, dispatch_uid="comuni.audit.logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        evento_accesso_register(tipo=TipoEvento.USCITA, request=request, user=user)


@receiver(account_signals.password_changed, dispatch_uid="comuni.audit.password_changed")
def _password_changed(sender, request, user, **kwargs) -> None:
    evento_accesso_register(tipo=TipoEvento.PASSWORD_CAMBIATA, request=request, user=user)


@receiver(account_signals.password_reset, dispatch_uid="comuni.audit.password_reset")
def _password_reset(sender, request, user, **kwargs) -> None:
    evento_accesso_register(tipo=TipoEvento.PASSWORD_REIMPOSTATA, request=request, user=user)


@receiver(account_signals.user_signed_up, dispatch_uid="comuni.audit.signup")
def _signed_up(sender, request, user, **kwargs) -> None:
    evento_accesso_register(tipo=TipoEvento.REGISTRAZIONE, request=request, user=user)


@receiver(mfa_signals.authenticator_added, dispatch_uid="comuni.audit.mfa")
def _second_factor_added(sender, request, user, authenticator, **kwargs) -> None:
    evento_accesso_register(
        tipo=TipoEvento.SECONDO_FATTORE, request=request, user=user, dettaglio=authenticator.type
    )

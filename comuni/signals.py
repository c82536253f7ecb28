"""Audit log entries for what allauth and Django report about accounts."""

from __future__ import annotations

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .access import access_decide_at_login, access_second_factor_changed
from .models import Comune, TipoEvento
from .services import evento_accesso_register


@receiver(auth_signals.user_logged_in, dispatch_uid="comuni.audit.login")
def _logged_in(sender, request, user, **kwargs) -> None:
    from .forms import apply_tablet_expiry

    if request is not None and hasattr(request, "session"):
        apply_tablet_expiry(request)
        access_decide_at_login(request, user)
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
    access_second_factor_changed(request, user)
    evento_accesso_register(
        tipo=TipoEvento.SECONDO_FATTORE, request=request, user=user, dettaglio=authenticator.type
    )


@receiver(mfa_signals.authenticator_removed, dispatch_uid="comuni.access.mfa_removed")
def _second_factor_removed(sender, request, user, authenticator, **kwargs) -> None:
    access_second_factor_changed(request, user)


@receiver(pre_save, sender=Comune, dispatch_uid="comuni.cache.comune_pre_save")
def _comune_remember_slug(sender, instance: Comune, **kwargs) -> None:
    # A renamed slug must drop the entry under the old one too.
    instance._slug_before_save = (
        Comune.objects.filter(pk=instance.pk).values_list("slug", flat=True).first() if instance.pk else None
    )


@receiver([post_save, post_delete], sender=Comune, dispatch_uid="comuni.cache.comune_changed")
def _comune_forget(sender, instance: Comune, **kwargs) -> None:
    from .selectors import comune_cache_key

    slugs = {instance.slug, getattr(instance, "_slug_before_save", None)} - {None}
    cache.delete_many([comune_cache_key(slug) for slug in slugs])

"""Staff must have a second factor (TOTP) before the admin, the operator or the bus-board pages open."""

from __future__ import annotations

import re
from collections.abc import Callable

from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

SECONDO_FATTORE_RICHIESTO = _(
    "Per il personale del comune l'accesso richiede un secondo fattore: attiva ora l'app di autenticazione (TOTP)."
)


def is_staff_account(user) -> bool:
    """Municipal staff, canteen operators, bus drivers and assistants, platform administrators."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return hasattr(user, "incarico") or _accompagna_linee(user)


def _accompagna_linee(user) -> bool:
    """Drivers and assistants see children's names and stops on their phone (trasporto.Linea.accompagnatori).

    Read through the relation's name so that comuni does not import trasporto; outside any comune's
    scope because the middleware runs before the tenancy one and a driver's routes are all his.
    """
    related = getattr(user, "linee_accompagnate", None)
    if related is None:
        return False
    with scopes_disabled():
        return related.exists()


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def _session_passed_second_factor(request: HttpRequest) -> bool:
    """allauth records each authentication step in the session: an MFA step means a factor exists (no query)."""
    methods = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY) or []
    return any(isinstance(m, dict) and m.get("method") == "mfa" for m in methods)


class StaffSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.required = re.compile("|".join(f"(?:{p})" for p in settings.MFA_REQUIRED_PATHS))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if (
            self.required.match(path)
            and request.user.is_authenticated
            and not _session_passed_second_factor(request)
            and not has_second_factor(request.user)
            and is_staff_account(request.user)
        ):
            messages.warning(request, SECONDO_FATTORE_RICHIESTO)
            return redirect("mfa_activate_totp")
        return self.get_response(request)

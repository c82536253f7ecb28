"""Staff must have a second factor (TOTP) before the admin or the operator pages open."""

from __future__ import annotations

import re
from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

SECONDO_FATTORE_RICHIESTO = _(
    "Per il personale del comune l'accesso richiede un secondo fattore: attiva ora l'app di autenticazione (TOTP)."
)


def is_staff_account(user) -> bool:
    """Municipal staff, canteen operators and platform administrators."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return hasattr(user, "incarico")


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class StaffSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.required = re.compile("|".join(f"(?:{p})" for p in settings.MFA_REQUIRED_PATHS))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if (
            self.required.match(path)
            and is_staff_account(request.user)
            and not has_second_factor(request.user)
        ):
            messages.warning(request, SECONDO_FATTORE_RICHIESTO)
            return redirect("mfa_activate_totp")
        return self.get_response(request)

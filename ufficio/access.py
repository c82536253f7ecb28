"""Who may use the school office pages: the comune's Ufficio scuola (and platform administrators)."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from comuni.models import Incarico, Ruolo


def ufficio_required(view):
    """Anonymous: to the login. Families, operators and other comuni's staff: 403. The second factor
    is enforced before this by comuni.middleware.StaffSecondFactorMiddleware (MFA_REQUIRED_PATHS)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        if not user.is_superuser and not Incarico.objects.filter(
            user=user, comune=request.comune, ruolo=Ruolo.UFFICIO_SCUOLA
        ).exists():
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper

"""Registration and login forms (allauth subclasses), in Italian."""

from __future__ import annotations

import datetime

from allauth.account.forms import LoginForm, SignupForm
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import User
from .validators import normalize_codice_fiscale, validate_codice_fiscale

CF_NON_UTILIZZABILE = _(
    "Questo codice fiscale non può essere usato per una nuova registrazione: se hai già un account accedi "
    "(anche con SPID o CIE), altrimenti contatta l'ufficio scuola del comune."
)
TABLET_SESSION_KEY = "omnibus_tablet"
CONSENSO_OBBLIGATORIO = _("Per registrarti devi dichiarare di aver letto l'informativa privacy del comune.")


class RegistrazioneForm(SignupForm):
    """"NON HAI UN ACCOUNT? REGISTRATI": the family's own account, with the comune's privacy notice."""

    first_name = forms.CharField(label=_("Nome"), max_length=150)
    last_name = forms.CharField(label=_("Cognome"), max_length=150)
    codice_fiscale = forms.CharField(
        label=_("Codice fiscale"), max_length=16, min_length=16, validators=[validate_codice_fiscale]
    )
    telefono = forms.CharField(label=_("Telefono (facoltativo)"), max_length=30, required=False)
    consenso_privacy = forms.BooleanField(
        label=_("Dichiaro di aver letto l'informativa sul trattamento dei dati personali del comune."),
        error_messages={"required": CONSENSO_OBBLIGATORIO},
    )

    field_order = [
        "first_name", "last_name", "codice_fiscale", "email", "telefono", "password1", "password2",
        "consenso_privacy",
    ]

    def clean_codice_fiscale(self) -> str:
        code = normalize_codice_fiscale(self.cleaned_data["codice_fiscale"])
        if User.objects.filter(codice_fiscale=code).exists():
            raise forms.ValidationError(CF_NON_UTILIZZABILE, code="cf_taken")
        return code

    def signup(self, request: HttpRequest, user: User) -> None:
        from .services import consenso_privacy_register

        user.first_name = self.cleaned_data["first_name"].strip()
        user.last_name = self.cleaned_data["last_name"].strip()
        # Typed, not verified: it never links children by itself (only SPID/CIE does).
        user.codice_fiscale = self.cleaned_data["codice_fiscale"]
        user.codice_fiscale_verificato = False
        user.telefono = self.cleaned_data.get("telefono", "").strip()
        user.save()
        comune = getattr(request, "comune", None)
        if comune is not None:
            consenso_privacy_register(user=user, comune=comune)


def seconds_until_end_of_day(*, now: datetime.datetime | None = None) -> int:
    """Seconds from now to the next local midnight (Europe/Rome)."""
    now = timezone.localtime(now)
    midnight = (now + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(60, int((midnight - now).total_seconds()))


class AccessoForm(LoginForm):
    """The login, plus the shared-tablet option for canteen operators (a session that ends with the day)."""

    tablet = forms.BooleanField(
        label=_("Tablet condiviso della mensa: esci automaticamente a fine giornata"), required=False
    )

    def login(self, request: HttpRequest, redirect_url: str | None = None):
        if self.cleaned_data.get("tablet"):
            # Read back by the user_logged_in receiver, also when the second factor comes first.
            request.session[TABLET_SESSION_KEY] = True
        response = super().login(request, redirect_url=redirect_url)
        if request.user.is_authenticated:
            apply_tablet_expiry(request)
        return response


def apply_tablet_expiry(request: HttpRequest) -> None:
    if request.session.get(TABLET_SESSION_KEY):
        request.session.set_expiry(min(settings.SESSION_TABLET_MAX_SECONDS, seconds_until_end_of_day()))

"""A new comune: one form in the admin or `manage.py comune_nuovo`, the same service behind both."""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from comuni.models import Comune, Ruolo, User
from comuni.services import incarico_assign

CAMPI = ["nome", "slug", "codice_fiscale", "codice_ipa", "provincia", "logo",
         "indirizzo", "cap", "telefono", "email", "pec", "sito_web"]
UFFICIO_EMAIL_IN_USO = _("Questo indirizzo è già di un account del personale di un altro comune.")


class ComuneNuovoForm(forms.ModelForm):
    """The comune's identity and contacts; cut-off, thresholds and the rest keep the notices' defaults."""

    ufficio_email = forms.EmailField(
        label=_("e-mail dell'account dell'ufficio scuola"), required=False,
        help_text=_("Facoltativo: crea l'account del personale del comune, che imposterà la password con "
                    "«Password dimenticata?» e il secondo fattore al primo accesso."),
    )

    class Meta:
        model = Comune
        fields = CAMPI

    def clean_codice_fiscale(self) -> str:
        return (self.cleaned_data.get("codice_fiscale") or "").strip()

    def clean_ufficio_email(self) -> str:
        email = (self.cleaned_data.get("ufficio_email") or "").strip().lower()
        if email and User.objects.filter(email=email, incarico__isnull=False).exists():
            raise forms.ValidationError(UFFICIO_EMAIL_IN_USO)
        return email


@transaction.atomic
def comune_create(*, form: ComuneNuovoForm) -> Comune:
    """Save a valid ComuneNuovoForm and, when given, the office account with its Ufficio scuola role."""
    comune = form.save()
    email = form.cleaned_data.get("ufficio_email")
    if email:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=None)
        incarico_assign(user=user, comune=comune, ruolo=Ruolo.UFFICIO_SCUOLA)
    return comune

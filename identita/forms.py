"""The one question a SPID/CIE login may still need: an e-mail address (CIE often sends none)."""

from __future__ import annotations

from allauth.account.internal.flows.email_verification import send_verification_email_to_address
from allauth.account.models import EmailAddress
from allauth.socialaccount.forms import SignupForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class EmailIdentitaForm(SignupForm):
    """Only the e-mail: the identity provider vouched for the person, the address is verified by a link."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name != "email":
                del self.fields[name]
        email = self.fields["email"]
        email.label = _("Indirizzo e-mail")
        email.help_text = _("Ti invieremo un messaggio per verificarlo; lo useremo per conferme e avvisi.")
        email.widget.attrs.update({"class": "form-control", "autocomplete": "email"})

    def save(self, request: HttpRequest):
        user = super().save(request)
        address = EmailAddress.objects.filter(user=user, email__iexact=self.cleaned_data["email"]).first()
        if address is not None and not address.verified:
            send_verification_email_to_address(request, address, signup=True)
        return user

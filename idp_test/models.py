"""Demo identities of the local test identity provider (development, demo and tests only)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class NomeClaimCodiceFiscale(models.TextChoices):
    UFFICIALE = "https://attributes.eid.gov.it/fiscal_number", "ufficiale (federazione SPID/CIE OIDC)"
    BREVE = "fiscal_number", "breve (gateway)"
    CAMEL = "fiscalNumber", "fiscalNumber (gateway SAML)"


class IdentitaDiProva(models.Model):
    """A person the test provider can vouch for, as a SPID/CIE gateway would.

    django-oauth-toolkit ties grants and tokens to a user row, so each identity has a "shadow"
    account that can never log in to the portal (unusable password, no e-mail address of its own).
    """

    codice_fiscale = models.CharField(max_length=16, unique=True)
    nome = models.CharField(max_length=100)
    cognome = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    descrizione = models.CharField(max_length=200, blank=True)
    # Under which name the provider sends the codice fiscale, as different gateways do.
    claim_codice_fiscale = models.CharField(max_length=60, choices=NomeClaimCodiceFiscale.choices,
                                            default=NomeClaimCodiceFiscale.UFFICIALE)
    ombra = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identita_di_prova", editable=False
    )

    class Meta:
        verbose_name = "identità di prova"
        verbose_name_plural = "identità di prova"
        ordering = ["cognome", "nome"]

    def __str__(self) -> str:
        return f"{self.nome} {self.cognome} ({self.codice_fiscale})"

    def claims(self) -> dict:
        data = {
            "given_name": self.nome,
            "family_name": self.cognome,
            "name": f"{self.nome} {self.cognome}",
            self.claim_codice_fiscale: f"TINIT-{self.codice_fiscale}",
        }
        if self.email:
            data.update(email=self.email, email_verified=True)
        return data

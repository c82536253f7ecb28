"""Demo identities and OIDC clients of the local test identity provider."""

from __future__ import annotations

from django.db import transaction
from django_scopes import scopes_disabled
from oauth2_provider.models import Application

from comuni.models import User
from consumatori.models import Tutore

from .models import IdentitaDiProva, NomeClaimCodiceFiscale

CLIENT_SECRET = "idp-test-secret"  # development only: the provider never runs in production
SHADOW_DOMAIN = "idp-test.invalid"
# A valid codice fiscale that no comune records: the "no children found" path.
SCONOSCIUTO = ("RSSMRA80A01H501U", "Mario", "Rossi")


@transaction.atomic
def identita_di_prova_create(*, codice_fiscale: str, nome: str, cognome: str, email: str = "",
                             descrizione: str = "", claim_codice_fiscale: str = NomeClaimCodiceFiscale.UFFICIALE,
                             ) -> IdentitaDiProva:
    shadow, created = User.objects.get_or_create(email=f"{codice_fiscale.lower()}@{SHADOW_DOMAIN}")
    if created:
        shadow.set_unusable_password()
        shadow.save()
    identita, _ = IdentitaDiProva.objects.update_or_create(
        codice_fiscale=codice_fiscale,
        defaults={"nome": nome, "cognome": cognome, "email": email, "descrizione": descrizione, "ombra": shadow,
                  "claim_codice_fiscale": claim_codice_fiscale},
    )
    return identita


def idp_client_sync(*, base_url: str) -> list[Application]:
    """One confidential OIDC client per button (SPID, CIE), redirecting to this portal."""
    apps = []
    for provider_id in ("spid", "cie"):
        app, _ = Application.objects.update_or_create(
            client_id=f"omnibus-{provider_id}",
            defaults={
                "name": f"Omnibus ({provider_id.upper()})",
                "client_type": Application.CLIENT_CONFIDENTIAL,
                "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
                "algorithm": Application.RS256_ALGORITHM,
                "redirect_uris": " ".join(
                    f"{base}/accounts/identita/{provider_id}/login/callback/"
                    for base in {base_url, base_url.replace("127.0.0.1", "localhost")}
                ),
                "client_secret": CLIENT_SECRET,
                "skip_authorization": True,
            },
        )
        apps.append(app)
    return apps


def idp_demo_seed(*, base_url: str, per_comune: int = 2) -> list[IdentitaDiProva]:
    """Demo identities: guardians the comuni recorded but who have no account (the fathers of the demo
    families), plus one person no comune knows."""
    idp_client_sync(base_url=base_url)
    identities = []
    with scopes_disabled():
        taken = set(User.objects.exclude(codice_fiscale=None).values_list("codice_fiscale", flat=True))
        seen: dict[int, int] = {}
        # The other parent of the demo families with an account: same children, no account yet.
        rows = (
            Tutore.objects.filter(utente__isnull=True, consumatore__tutori__utente__isnull=False)
            .exclude(codice_fiscale="")
            .select_related("comune", "consumatore").order_by("comune__nome", "consumatore__tutori__utente_id", "pk")
        )
        done = set()
        for tutore in rows:
            if tutore.codice_fiscale in taken or tutore.codice_fiscale in done:
                continue
            if seen.get(tutore.comune_id, 0) >= per_comune:
                continue
            seen[tutore.comune_id] = seen.get(tutore.comune_id, 0) + 1
            done.add(tutore.codice_fiscale)
            email = f"{tutore.nome}.{tutore.cognome}".lower().replace(" ", "").replace("'", "")
            descrizione = f"genitore di {tutore.consumatore.nome} ({tutore.comune})"
            # The second parent of each comune logs in like a CIE without e-mail, through a gateway that maps
            # the codice fiscale to `fiscal_number`: the portal asks for an address to verify.
            senza_email = seen[tutore.comune_id] == 2
            identities.append(identita_di_prova_create(
                codice_fiscale=tutore.codice_fiscale, nome=tutore.nome, cognome=tutore.cognome,
                email="" if senza_email else f"{email}@spid.example",
                descrizione=f"{descrizione} – CIE senza e-mail" if senza_email else descrizione,
                claim_codice_fiscale=NomeClaimCodiceFiscale.BREVE if senza_email else NomeClaimCodiceFiscale.UFFICIALE,
            ))
    code, nome, cognome = SCONOSCIUTO
    identities.append(identita_di_prova_create(
        codice_fiscale=code, nome=nome, cognome=cognome, email="mario.rossi@spid.example",
        descrizione="nessun comune lo conosce",
    ))
    return identities


def idp_demo_seed_report() -> str:
    """Seed the provider for `make run` and describe its identities (printed by seed_demo)."""
    from django.conf import settings

    identities = idp_demo_seed(base_url=settings.IDP_TEST_PORTAL_URL)
    lines = ["", "Identità SPID/CIE di prova (\"Entra con SPID\" → identity provider di prova):"]
    lines += [f"  {i.nome} {i.cognome}  {i.codice_fiscale}  – {i.descrizione}" for i in identities]
    return "\n".join(lines)

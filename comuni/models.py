"""The tenant (Comune), user accounts and staff memberships."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from .validators import normalize_codice_fiscale, validate_codice_fiscale, validate_codice_fiscale_ente

# Slugs that would shadow the project's own top-level URLs.
RESERVED_SLUGS = frozenset(
    {"admin", "login", "logout", "accounts", "account", "static", "media", "comuni", "api", "i18n",
     "healthz", "operatore", "pagopa", "puntolis", "sandbox", "privacy", "cittadino", "registrati",
     "idp-test", "app"}
)
SLUG_RESERVED_ERROR = _("Lo slug «%(value)s» è riservato dal sistema: sceglierne un altro.")


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(SLUG_RESERVED_ERROR, code="slug_reserved", params={"value": value})


class Comune(models.Model):
    """A municipality: the tenant. Every other row of the domain belongs to exactly one comune."""

    nome = models.CharField(_("nome"), max_length=100, unique=True)
    slug = models.SlugField(
        _("slug"), max_length=50, unique=True, validators=[validate_slug_not_reserved],
        help_text=_("Compare nell'indirizzo del portale: /login/<slug>/"),
    )
    codice_fiscale = models.CharField(
        _("codice fiscale dell'ente"), max_length=11, unique=True, validators=[validate_codice_fiscale_ente]
    )
    codice_ipa = models.CharField(
        _("codice IPA"), max_length=20, blank=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_]{1,20}$", _("Il codice IPA ha lettere, cifre e trattini bassi."))],
        help_text=_("Il codice dell'ente nell'Indice dei domicili digitali della PA (IndicePA), per esempio c_e538."),
    )
    provincia = models.CharField(
        _("provincia"), max_length=2, validators=[RegexValidator(r"^[A-Z]{2}$", _("Sigla di due lettere."))]
    )
    indirizzo = models.CharField(_("indirizzo della sede"), max_length=200, blank=True)
    cap = models.CharField(_("CAP"), max_length=5, blank=True, validators=[RegexValidator(r"^\d{5}$")])
    telefono = models.CharField(_("telefono"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail ufficio scuola"), blank=True)
    pec = models.EmailField(_("PEC"), blank=True)
    sito_web = models.URLField(_("sito web"), blank=True)
    logo = models.ImageField(_("stemma"), upload_to="comuni/loghi/", blank=True)
    attivo = models.BooleanField(_("attivo"), default=True)

    # Settings of the services (defaults from the Comune di Leporano notices).
    ora_limite_disdetta = models.TimeField(
        _("ora limite per la disdetta del pasto"), default=datetime.time(9, 0),
        help_text=_("Ora di Roma entro cui la famiglia può disdire il pasto del giorno stesso."),
    )
    soglia_sospensione_pasti = models.PositiveSmallIntegerField(
        _("sospensione dopo pasti a debito"), default=5, validators=[MinValueValidator(1)]
    )
    soglia_avviso_pasti_debito = models.PositiveSmallIntegerField(
        _("avviso a pasti a debito"), default=2, validators=[MinValueValidator(1)]
    )
    soglia_credito_in_esaurimento = models.DecimalField(
        _("avviso di credito in esaurimento (euro)"), max_digits=12, decimal_places=2,
        default=Decimal("10.00"), validators=[MinValueValidator(Decimal("0"))],
    )
    data_attivazione_mensa = models.DateField(_("attivazione refezione scolastica"), null=True, blank=True)
    data_attivazione_trasporto = models.DateField(_("attivazione trasporto scolastico"), null=True, blank=True)
    email_ristorazione = models.EmailField(
        _("e-mail della ditta di ristorazione"), blank=True,
        help_text=_("Riceve il conteggio dei pasti del giorno subito dopo l'ora limite."),
    )

    # Privacy notice: the comune is the data controller; families consent to a given version.
    informativa_privacy = models.TextField(
        _("informativa privacy"), blank=True,
        help_text=_("Testo dell'informativa sul trattamento dei dati (il titolare è il comune)."),
    )
    informativa_privacy_versione = models.CharField(_("versione dell'informativa"), max_length=20, default="1")

    class Meta:
        verbose_name = _("comune")
        verbose_name_plural = _("comuni")
        ordering = ["nome"]

    def __str__(self) -> str:
        return f"Comune di {self.nome}"

    def clean(self) -> None:
        if self.soglia_avviso_pasti_debito >= self.soglia_sospensione_pasti:
            raise ValidationError(
                {"soglia_avviso_pasti_debito": _("L'avviso deve arrivare prima della sospensione.")}
            )


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """An account: a family member, a municipal clerk or a canteen operator. One account serves
    every comune it is linked to; what it sees in each is decided by its links, not by the account."""

    username = None
    email = models.EmailField(_("indirizzo e-mail"), unique=True)
    codice_fiscale = models.CharField(
        _("codice fiscale"), max_length=16, unique=True, null=True, blank=True,
        validators=[validate_codice_fiscale],
    )
    telefono = models.CharField(_("telefono"), max_length=30, blank=True)
    # True only when the codice fiscale came from SPID/CIE: a typed one never links children by itself.
    codice_fiscale_verificato = models.BooleanField(_("codice fiscale verificato con SPID/CIE"), default=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        verbose_name = _("utente")
        verbose_name_plural = _("utenti")

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} <{self.email}>" if full else self.email

    def clean(self) -> None:
        super().clean()
        if self.codice_fiscale:
            self.codice_fiscale = normalize_codice_fiscale(self.codice_fiscale)
        else:
            self.codice_fiscale = None


class Ruolo(models.TextChoices):
    UFFICIO_SCUOLA = "ufficio_scuola", _("Ufficio scuola / ragioneria")
    OPERATORE_MENSA = "operatore_mensa", _("Operatore mensa")


class Incarico(models.Model):
    """A staff member's role in one comune. Canteen operators may be limited to some schools."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="incarico", verbose_name=_("utente"))
    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="incarichi")
    ruolo = models.CharField(_("ruolo"), max_length=20, choices=Ruolo.choices)
    scuole = models.ManyToManyField(
        "consumatori.Scuola", blank=True, related_name="incarichi", verbose_name=_("scuole"),
        help_text=_("Per gli operatori mensa: le scuole in cui rilevano le presenze (vuoto = tutte)."),
    )
    creato_il = models.DateTimeField(_("creato il"), auto_now_add=True)

    class Meta:
        verbose_name = _("incarico del personale")
        verbose_name_plural = _("incarichi del personale")

    def __str__(self) -> str:
        return f"{self.user} – {self.get_ruolo_display()} ({self.comune.nome})"


class ConsensoPrivacy(models.Model):
    """A family's consent to one version of a comune's privacy notice: which version, when."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="consensi_privacy")
    utente = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consensi_privacy")
    versione = models.CharField(_("versione"), max_length=20)
    accettato_il = models.DateTimeField(_("accettato il"), auto_now_add=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("consenso all'informativa privacy")
        verbose_name_plural = _("consensi all'informativa privacy")
        constraints = [
            models.UniqueConstraint(fields=["comune", "utente", "versione"], name="consenso_unico_per_versione")
        ]

    def __str__(self) -> str:
        return f"{self.utente} – v{self.versione} ({self.accettato_il:%d/%m/%Y})"


class TipoEvento(models.TextChoices):
    ACCESSO = "accesso", _("Accesso")
    ACCESSO_FALLITO = "accesso_fallito", _("Accesso non riuscito")
    BLOCCO = "blocco", _("Blocco per troppi tentativi")
    USCITA = "uscita", _("Uscita")
    PASSWORD_CAMBIATA = "password_cambiata", _("Password cambiata")
    PASSWORD_REIMPOSTATA = "password_reimpostata", _("Password reimpostata")
    REGISTRAZIONE = "registrazione", _("Registrazione")
    SECONDO_FATTORE = "secondo_fattore", _("Secondo fattore attivato")
    COLLEGAMENTO = "collegamento", _("Figlio collegato")
    CODICE_ERRATO = "codice_errato", _("Codice di collegamento errato")


class EventoAccesso(models.Model):
    """Audit log of logins, failures and locks. Append-only; staff read it in the admin."""

    quando = models.DateTimeField(_("quando"), auto_now_add=True, db_index=True)
    tipo = models.CharField(_("evento"), max_length=30, choices=TipoEvento.choices)
    utente = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="eventi_accesso"
    )
    email = models.CharField(_("e-mail indicata"), max_length=254, blank=True)
    comune = models.ForeignKey(Comune, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    indirizzo_ip = models.GenericIPAddressField(_("indirizzo IP"), null=True, blank=True)
    dettaglio = models.CharField(_("dettaglio"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("evento di accesso")
        verbose_name_plural = _("registro degli accessi")
        ordering = ["-quando"]

    def __str__(self) -> str:
        return f"{self.quando:%d/%m/%Y %H:%M} {self.get_tipo_display()} {self.email}"


class StatoRichiesta(models.TextChoices):
    IN_ATTESA = "in_attesa", _("In attesa")
    ACCOLTA = "accolta", _("Accolta")
    RESPINTA = "respinta", _("Respinta")


class RichiestaCancellazione(models.Model):
    """A family asks a comune to erase its data; staff handle it (payments are kept by law)."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="richieste_cancellazione")
    utente = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="richieste_cancellazione"
    )
    email = models.EmailField(_("e-mail del richiedente"))
    richiesta_il = models.DateTimeField(_("richiesta il"), auto_now_add=True)
    stato = models.CharField(
        _("stato"), max_length=20, choices=StatoRichiesta.choices, default=StatoRichiesta.IN_ATTESA
    )
    motivazione = models.TextField(_("motivazione della decisione"), blank=True)
    gestita_da = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    gestita_il = models.DateTimeField(_("gestita il"), null=True, blank=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("richiesta di cancellazione dei dati")
        verbose_name_plural = _("richieste di cancellazione dei dati")
        ordering = ["-richiesta_il"]

    def __str__(self) -> str:
        return f"{self.email} – {self.get_stato_display()}"

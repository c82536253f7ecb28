"""The tenant (Comune), user accounts and staff memberships."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .validators import normalize_codice_fiscale, validate_codice_fiscale, validate_codice_fiscale_ente

# Slugs that would shadow the project's own top-level URLs.
RESERVED_SLUGS = frozenset(
    {"admin", "login", "logout", "accounts", "account", "static", "media", "comuni", "api", "i18n",
     "healthz", "operatore", "pagopa", "puntolis", "sandbox", "privacy", "cittadino"}
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

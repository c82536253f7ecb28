"""Schools, classes, consumers (the pupils) and their guardians. Every row belongs to one comune."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from comuni.models import Comune
from comuni.validators import normalize_codice_fiscale, validate_codice_fiscale

# Crockford-like alphabet without look-alikes (0/O, 1/I/L): read aloud or typed at a shop counter.
PAYMENT_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PAYMENT_CODE_LENGTH = 12

CLASSE_COMUNE_ERROR = _("La classe appartiene a un altro comune.")
SCUOLA_COMUNE_ERROR = _("La scuola appartiene a un altro comune.")
ANNO_DATE_ERROR = _("La data di fine deve seguire la data di inizio.")
STORICO_ANNO_ERROR = _("La classe appartiene a un altro anno scolastico.")


def new_payment_code() -> str:
    """A random, stable code for PuntoLIS and payments: neither the id nor the codice fiscale."""
    return "".join(secrets.choice(PAYMENT_CODE_ALPHABET) for _ in range(PAYMENT_CODE_LENGTH))


class AnnoScolastico(models.Model):
    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="anni_scolastici")
    nome = models.CharField(_("anno scolastico"), max_length=9, help_text=_("Per esempio 2026/27"))
    data_inizio = models.DateField(_("primo giorno"))
    data_fine = models.DateField(_("ultimo giorno"))

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("anno scolastico")
        verbose_name_plural = _("anni scolastici")
        ordering = ["-data_inizio"]
        constraints = [models.UniqueConstraint(fields=["comune", "nome"], name="anno_scolastico_unico")]

    def __str__(self) -> str:
        return self.nome

    def clean(self) -> None:
        if self.data_inizio and self.data_fine and self.data_fine <= self.data_inizio:
            raise ValidationError({"data_fine": ANNO_DATE_ERROR})


class TipoScuola(models.TextChoices):
    INFANZIA = "infanzia", _("Scuola dell'infanzia")
    PRIMARIA = "primaria", _("Scuola primaria")
    SECONDARIA = "secondaria", _("Scuola secondaria di primo grado")


class Scuola(models.Model):
    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="scuole")
    nome = models.CharField(_("nome"), max_length=150)
    tipo = models.CharField(_("tipo"), max_length=20, choices=TipoScuola.choices)
    codice_meccanografico = models.CharField(_("codice meccanografico"), max_length=10, blank=True)
    indirizzo = models.CharField(_("indirizzo"), max_length=200, blank=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("scuola")
        verbose_name_plural = _("scuole")
        ordering = ["tipo", "nome"]
        constraints = [models.UniqueConstraint(fields=["comune", "nome"], name="scuola_unica_per_comune")]

    def __str__(self) -> str:
        return self.nome


class Classe(models.Model):
    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="classi")
    scuola = models.ForeignKey(Scuola, on_delete=models.PROTECT, related_name="classi")
    anno_scolastico = models.ForeignKey(AnnoScolastico, on_delete=models.PROTECT, related_name="classi")
    anno = models.PositiveSmallIntegerField(
        _("classe"), null=True, blank=True, help_text=_("1–5; vuoto per le sezioni dell'infanzia")
    )
    sezione = models.CharField(_("sezione"), max_length=10)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("classe")
        verbose_name_plural = _("classi")
        ordering = ["scuola__nome", "anno", "sezione"]
        constraints = [
            models.UniqueConstraint(
                fields=["scuola", "anno_scolastico", "anno", "sezione"], condition=Q(anno__isnull=False),
                name="classe_unica",
            ),
            models.UniqueConstraint(
                fields=["scuola", "anno_scolastico", "sezione"], condition=Q(anno__isnull=True),
                name="sezione_infanzia_unica",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.denominazione} – {self.scuola.nome}"

    @property
    def denominazione(self) -> str:
        """How schools name a class: "3ª B", or "Sezione A" in the infanzia."""
        if self.anno is None:
            return f"Sezione {self.sezione}"
        return f"{self.anno}ª {self.sezione}"

    def clean(self) -> None:
        if self.scuola_id and self.comune_id and self.scuola.comune_id != self.comune_id:
            raise ValidationError({"scuola": SCUOLA_COMUNE_ERROR})


class Consumatore(models.Model):
    """A pupil who uses the canteen or the school bus."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="consumatori")
    nome = models.CharField(_("nome"), max_length=100)
    cognome = models.CharField(_("cognome"), max_length=100)
    codice_fiscale = models.CharField(_("codice fiscale"), max_length=16, validators=[validate_codice_fiscale])
    data_nascita = models.DateField(_("data di nascita"))
    classe = models.ForeignKey(
        Classe, on_delete=models.PROTECT, related_name="consumatori", null=True, blank=True
    )
    dieta_speciale = models.BooleanField(_("dieta speciale"), default=False)
    note_dieta = models.TextField(
        _("dieta e allergeni"), blank=True, help_text=_("Dato sanitario: visibile solo a chi prepara e serve i pasti.")
    )
    codice_pagamento = models.CharField(
        _("codice pagamento"), max_length=PAYMENT_CODE_LENGTH, unique=True, default=new_payment_code,
        editable=False,
    )
    attivo = models.BooleanField(_("attivo"), default=True)
    creato_il = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("consumatore")
        verbose_name_plural = _("consumatori")
        ordering = ["cognome", "nome"]
        constraints = [
            models.UniqueConstraint(fields=["comune", "codice_fiscale"], name="consumatore_cf_unico_per_comune")
        ]
        indexes = [models.Index(fields=["comune", "cognome", "nome"])]

    def __str__(self) -> str:
        return f"{self.cognome} {self.nome}"

    @property
    def nome_completo(self) -> str:
        return f"{self.nome} {self.cognome}"

    def clean(self) -> None:
        self.codice_fiscale = normalize_codice_fiscale(self.codice_fiscale)
        if self.classe_id and self.comune_id and self.classe.comune_id != self.comune_id:
            raise ValidationError({"classe": CLASSE_COMUNE_ERROR})


class ClasseConsumatore(models.Model):
    """The class a consumer attended in one school year (class history).

    `Consumatore.classe` is the class of today; these rows keep every year's class, so the month
    view of a past month shows the class of that time. Written by consumatori.storico.
    """

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="+")
    consumatore = models.ForeignKey(Consumatore, on_delete=models.CASCADE, related_name="storico_classi")
    anno_scolastico = models.ForeignKey(AnnoScolastico, on_delete=models.PROTECT, related_name="+")
    classe = models.ForeignKey(Classe, on_delete=models.PROTECT, related_name="storico_consumatori")

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("classe dell'anno scolastico")
        verbose_name_plural = _("storico delle classi")
        ordering = ["consumatore", "-anno_scolastico__data_inizio"]
        constraints = [
            models.UniqueConstraint(fields=["consumatore", "anno_scolastico"], name="classe_consumatore_per_anno"),
        ]
        indexes = [models.Index(fields=["comune", "anno_scolastico"])]

    def __str__(self) -> str:
        return f"{self.consumatore} – {self.anno_scolastico}: {self.classe.denominazione}"

    def clean(self) -> None:
        if self.classe_id and self.anno_scolastico_id and self.classe.anno_scolastico_id != self.anno_scolastico_id:
            raise ValidationError({"classe": STORICO_ANNO_ERROR})
        if self.classe_id and self.comune_id and self.classe.comune_id != self.comune_id:
            raise ValidationError({"classe": CLASSE_COMUNE_ERROR})


class Relazione(models.TextChoices):
    GENITORE = "genitore", _("Genitore")
    TUTORE = "tutore", _("Tutore")
    AFFIDATARIO = "affidatario", _("Affidatario")


class Tutore(models.Model):
    """A guardian recorded by the comune for a consumer, and the account it is linked to (if any).

    The comune records guardians (often with their codice fiscale); a family account sees a
    consumer only through a linked Tutore row of the comune in the URL.
    """

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="tutori")
    consumatore = models.ForeignKey(Consumatore, on_delete=models.CASCADE, related_name="tutori")
    nome = models.CharField(_("nome"), max_length=100)
    cognome = models.CharField(_("cognome"), max_length=100)
    codice_fiscale = models.CharField(
        _("codice fiscale"), max_length=16, blank=True, validators=[validate_codice_fiscale]
    )
    relazione = models.CharField(_("relazione"), max_length=20, choices=Relazione.choices, default=Relazione.GENITORE)
    email = models.EmailField(_("e-mail"), blank=True)
    telefono = models.CharField(_("telefono"), max_length=30, blank=True)
    utente = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="tutele",
        verbose_name=_("account collegato"),
    )
    collegato_il = models.DateTimeField(_("collegato il"), null=True, blank=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("tutore")
        verbose_name_plural = _("tutori")
        ordering = ["cognome", "nome"]
        constraints = [
            models.UniqueConstraint(
                fields=["consumatore", "codice_fiscale"], condition=~Q(codice_fiscale=""),
                name="tutore_cf_unico_per_consumatore",
            ),
            models.UniqueConstraint(
                fields=["consumatore", "utente"], condition=Q(utente__isnull=False),
                name="tutore_account_unico_per_consumatore",
            ),
        ]
        indexes = [models.Index(fields=["comune", "utente"]), models.Index(fields=["codice_fiscale"])]

    def __str__(self) -> str:
        return f"{self.cognome} {self.nome} ({self.get_relazione_display()} di {self.consumatore})"

    def clean(self) -> None:
        self.codice_fiscale = normalize_codice_fiscale(self.codice_fiscale)
        if self.consumatore_id and self.comune_id and self.consumatore.comune_id != self.comune_id:
            raise ValidationError({"consumatore": _("Il consumatore appartiene a un altro comune.")})


# Linking family accounts to the guardians the comune recorded (issue 4). The services are in
# consumatori/linking.py; staff decide requests in the admin.

LINK_CODE_ALPHABET = PAYMENT_CODE_ALPHABET
LINK_CODE_LENGTH = 12  # 31^12 ≈ 8·10^17 combinations, and a handful of tries per hour


class CodiceCollegamento(models.Model):
    """A one-time code staff give a guardian to link their account to a Tutore row.

    Only a hash of the code is stored: whoever reads the database cannot use the codes.
    """

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="codici_collegamento")
    tutore = models.ForeignKey(Tutore, on_delete=models.CASCADE, related_name="codici_collegamento")
    impronta = models.CharField(_("impronta del codice"), max_length=64, unique=True, editable=False)
    scade_il = models.DateTimeField(_("scade il"))
    usato_il = models.DateTimeField(_("usato il"), null=True, blank=True)
    usato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    creato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    creato_il = models.DateTimeField(_("creato il"), auto_now_add=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("codice di collegamento")
        verbose_name_plural = _("codici di collegamento")
        ordering = ["-creato_il"]

    def __str__(self) -> str:
        return f"{self.tutore} – {self.scade_il:%d/%m/%Y}" if self.scade_il else str(self.tutore)


class StatoAssociazione(models.TextChoices):
    IN_ATTESA = "in_attesa", _("In attesa")
    ACCOLTA = "accolta", _("Accolta")
    RESPINTA = "respinta", _("Respinta")


class RichiestaAssociazione(models.Model):
    """"Richiedi associazione": a family asks staff to link a child; staff accept or refuse with a reason."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="richieste_associazione")
    utente = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="richieste_associazione"
    )
    codice_fiscale_consumatore = models.CharField(
        _("codice fiscale dell'alunno"), max_length=16, validators=[validate_codice_fiscale]
    )
    relazione = models.CharField(_("relazione"), max_length=20, choices=Relazione.choices, default=Relazione.GENITORE)
    messaggio = models.TextField(_("messaggio per l'ufficio"), blank=True, max_length=1000)
    stato = models.CharField(
        _("stato"), max_length=20, choices=StatoAssociazione.choices, default=StatoAssociazione.IN_ATTESA
    )
    motivazione = models.TextField(_("motivazione della decisione"), blank=True)
    deciso_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deciso_il = models.DateTimeField(_("decisa il"), null=True, blank=True)
    creata_il = models.DateTimeField(_("richiesta il"), auto_now_add=True)

    objects = ScopedManager(comune="comune")

    class Meta:
        verbose_name = _("richiesta di associazione")
        verbose_name_plural = _("richieste di associazione")
        ordering = ["-creata_il"]
        constraints = [
            models.UniqueConstraint(
                fields=["comune", "utente", "codice_fiscale_consumatore"],
                condition=Q(stato="in_attesa"), name="richiesta_associazione_aperta_unica",
            )
        ]

    def __str__(self) -> str:
        return f"{self.utente} → {self.codice_fiscale_consumatore} ({self.get_stato_display()})"

"""The family's application form: every refusal names its field."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from comuni.validators import normalize_codice_fiscale, validate_codice_fiscale
from consumatori.models import Classe, Consumatore, Scuola
from mensa.menu.models import TipoDieta as DietaDelComune
from pagamenti.models import Servizio
from trasporto.models import Fermata, Linea, Percorso

from .models import TipoDieta, validate_isee
from .validators import certificato_check, normalize_dsu, validate_dsu

SERVIZI_ERROR = _("Servizi: scegli almeno un servizio con le iscrizioni aperte.")
FERMATA_ERROR = _("Fermata: scegli una fermata della linea indicata.")
LINEA_ERROR = _("Linea: per il trasporto scegli la linea e la fermata.")
PERCORSO_ERROR = _("Tratte: indica andata, ritorno o entrambe.")
CLASSE_ERROR = _("Classe: la classe scelta non è della scuola indicata.")
ISEE_MANCANTE_ERROR = _("ISEE: indica il valore e il protocollo DSU, oppure scegli «non presento l'ISEE».")
ISEE_ENTRAMBI_ERROR = _("ISEE: hai indicato un valore ma anche «non presento l'ISEE»: scegli una delle due.")
CERTIFICATO_MANCANTE_ERROR = _("Certificato medico: per una dieta per motivi di salute allega il certificato.")
DIETA_DESCRIZIONE_ERROR = _("Dieta richiesta: descrivi la dieta (alimenti da escludere).")
DIETA_SCELTA_ERROR = _("Dieta: scegli una delle diete proposte dal comune, oppure «altra dieta».")
DIETA_MOTIVO_ERROR = _("Motivo della dieta: per un'altra dieta indica se è per motivi di salute, religiosi o etici.")
ALTRA_DIETA = "altra"
MOTIVI_ALTRA_DIETA = [("", "—"), *((v, label) for v, label in TipoDieta.choices
                                   if v in (TipoDieta.SANITARIA, TipoDieta.RELIGIOSA, TipoDieta.ETICA))]
NASCITA_ERROR = _("Data di nascita: indica una data plausibile per un alunno.")
CF_NASCITA_ERROR = _("Codice fiscale: non corrisponde alla data di nascita indicata.")
DATI_ALUNNO_ERROR = _("Questo campo è obbligatorio per un nuovo alunno.")
PRIVACY_ERROR = _("Privacy: per inviare la domanda serve il consenso all'informativa del comune.")


ISEE_FORMATO_ERROR = _("ISEE: scrivi il valore in euro, per esempio 8500 oppure 8.500,00.")
_MIGLIAIA = re.compile(r"^\d{1,3}(\.\d{3})+$")


def isee_parse(value: str) -> Decimal | None:
    """An ISEE as Italians type it: "8500", "8500,50", "8.500,50", "8500.50"; empty = None."""
    text = (value or "").strip().replace("€", "").replace(" ", "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif _MIGLIAIA.match(text):
        text = text.replace(".", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError(ISEE_FORMATO_ERROR) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(ISEE_FORMATO_ERROR)
    return amount


def classi_per_domanda(*, anno):
    """The classes of the year applied for; before the rollover made them, those of the latest year."""
    classi = Classe.objects.select_related("scuola")
    if classi.filter(anno_scolastico=anno).exists():
        return classi.filter(anno_scolastico=anno)
    ultima = Classe.objects.filter(anno_scolastico__data_inizio__lt=anno.data_inizio).order_by(
        "-anno_scolastico__data_inizio").values("anno_scolastico_id")[:1]
    return classi.filter(anno_scolastico_id__in=ultima)


class DomandaForm(forms.Form):
    chiave = forms.UUIDField(widget=forms.HiddenInput)
    consumatore = forms.ModelChoiceField(
        label=_("Alunno"), queryset=Consumatore.objects.none(), required=False, empty_label=_("Un nuovo alunno"),
    )
    nome = forms.CharField(label=_("Nome"), max_length=100, required=False)
    cognome = forms.CharField(label=_("Cognome"), max_length=100, required=False)
    codice_fiscale = forms.CharField(label=_("Codice fiscale"), max_length=16, required=False)
    data_nascita = forms.DateField(label=_("Data di nascita"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    scuola = forms.ModelChoiceField(label=_("Scuola"), queryset=Scuola.objects.none())
    classe = forms.ModelChoiceField(label=_("Classe"), queryset=Classe.objects.none(), required=False)
    mensa = forms.BooleanField(label=_("Refezione scolastica (mensa)"), required=False)
    trasporto = forms.BooleanField(label=_("Trasporto scolastico (scuolabus)"), required=False)
    linea = forms.ModelChoiceField(label=_("Linea"), queryset=Linea.objects.none(), required=False)
    fermata = forms.ModelChoiceField(label=_("Fermata"), queryset=Fermata.objects.none(), required=False)
    percorso = forms.ChoiceField(label=_("Tratte"), choices=[("", "—"), *Percorso.choices], required=False)
    isee = forms.CharField(label=_("Valore ISEE (euro)"), max_length=20, required=False,
                           widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    protocollo_dsu = forms.CharField(label=_("Protocollo DSU"), max_length=40, required=False,
                                     help_text=_("Per esempio INPS-ISEE-2026-12345678A-00"))
    isee_non_presentato = forms.BooleanField(
        label=_("Non presento l'ISEE (si applica la tariffa più alta)"), required=False)
    tipo_dieta = forms.ChoiceField(label=_("Dieta"), required=False,
                                   error_messages={"invalid_choice": DIETA_SCELTA_ERROR})
    dieta = forms.ChoiceField(label=_("Motivo della dieta (solo per «altra dieta»)"), choices=MOTIVI_ALTRA_DIETA,
                              required=False)
    dieta_descrizione = forms.CharField(label=_("Dieta richiesta (alimenti da escludere, note per la cucina)"),
                                        max_length=2000, required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    certificato = forms.FileField(label=_("Certificato medico (PDF, JPEG o PNG, al massimo 5 MB)"), required=False)
    consenso_privacy = forms.BooleanField(label=_("Ho letto l'informativa sulla privacy del comune e acconsento"),
                                          required=False)

    def __init__(self, *args, consumatori, anno, servizi_aperti: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.anno = anno
        self.servizi_aperti = servizi_aperti
        self.fields["consumatore"].queryset = consumatori
        self.fields["scuola"].queryset = Scuola.objects.all()
        self.fields["classe"].queryset = classi_per_domanda(anno=anno)
        self.fields["linea"].queryset = Linea.objects.filter(anno_scolastico=anno)
        self.fields["fermata"].queryset = Fermata.objects.filter(linea__anno_scolastico=anno).select_related("linea")
        self.fields["fermata"].label_from_instance = lambda f: f"{f.linea.nome} – {f.nome}"
        self.fields["classe"].label_from_instance = lambda c: f"{c.scuola.nome} – {c.denominazione}"
        # The comune's diet types (a sanitary one needs the certificate), or another diet described in words.
        self.diete = {str(t.pk): t for t in DietaDelComune.objects.filter(comune_id=anno.comune_id)}
        self.fields["tipo_dieta"].choices = [
            ("", _("Nessuna dieta speciale")),
            *((pk, f"{t.nome} ({t.get_categoria_display().lower()})") for pk, t in self.diete.items()),
            (ALTRA_DIETA, _("Altra dieta (descrivila: l'ufficio sceglierà la dieta)")),
        ]
        for field in self.fields.values():
            if isinstance(field.widget, (forms.CheckboxInput, forms.HiddenInput)):
                continue
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        for servizio in (Servizio.MENSA, Servizio.TRASPORTO):
            if servizio not in servizi_aperti:
                del self.fields[servizio]
        if Servizio.TRASPORTO not in servizi_aperti:
            for name in ("linea", "fermata", "percorso"):
                del self.fields[name]

    def clean_codice_fiscale(self) -> str:
        value = normalize_codice_fiscale(self.cleaned_data.get("codice_fiscale", ""))
        if value:
            validate_codice_fiscale(value)
        return value

    def clean_isee(self) -> Decimal | None:
        value = isee_parse(self.cleaned_data.get("isee", ""))
        validate_isee(value)
        return value

    def clean_protocollo_dsu(self) -> str:
        value = normalize_dsu(self.cleaned_data.get("protocollo_dsu", ""))
        if value:
            validate_dsu(value)
        return value

    def clean_certificato(self):
        upload = self.cleaned_data.get("certificato")
        if upload:
            self.certificato_tipo = certificato_check(upload)
        return upload

    def clean_tipo_dieta(self) -> DietaDelComune | str | None:
        value = self.cleaned_data.get("tipo_dieta") or ""
        return ALTRA_DIETA if value == ALTRA_DIETA else self.diete.get(value)

    def clean_data_nascita(self):
        value = self.cleaned_data.get("data_nascita")
        if value and not (datetime.date(1990, 1, 1) <= value <= datetime.date.today()):
            raise ValidationError(NASCITA_ERROR)
        return value

    def clean(self):
        data = super().clean()
        self._clean_alunno(data)
        if data.get("classe") and data.get("scuola") and data["classe"].scuola_id != data["scuola"].pk:
            self.add_error("classe", CLASSE_ERROR)
        if not (data.get("mensa") or data.get("trasporto")):
            self.add_error(None, SERVIZI_ERROR)
        if data.get("trasporto"):
            self._clean_trasporto(data)
        isee, protocollo, non_presentato = data.get("isee"), data.get("protocollo_dsu"), data.get("isee_non_presentato")
        if non_presentato and (isee is not None or protocollo):
            self.add_error("isee", ISEE_ENTRAMBI_ERROR)
        elif not non_presentato and "isee" not in self.errors and "protocollo_dsu" not in self.errors:
            if isee is None:
                self.add_error("isee", ISEE_MANCANTE_ERROR)
            if not protocollo:
                self.add_error("protocollo_dsu", ISEE_MANCANTE_ERROR)
        self._clean_dieta(data)
        if not data.get("consenso_privacy"):
            self.add_error("consenso_privacy", PRIVACY_ERROR)
        return data

    def _clean_dieta(self, data) -> None:
        """A diet type of the comune sets the motive from its category; "altra" needs the motive and a
        description; a sanitary diet needs the certificate."""
        scelta = data.get("tipo_dieta")
        if "tipo_dieta" in self.errors:
            return
        if scelta == ALTRA_DIETA:
            data["tipo_dieta"] = None
            if not data.get("dieta"):
                self.add_error("dieta", DIETA_MOTIVO_ERROR)
            if not (data.get("dieta_descrizione") or "").strip():
                self.add_error("dieta_descrizione", DIETA_DESCRIZIONE_ERROR)
            sanitaria = data.get("dieta") == TipoDieta.SANITARIA
        elif scelta is not None:
            data["dieta"] = TipoDieta.SANITARIA if scelta.sanitaria else TipoDieta.ETICO_RELIGIOSA
            sanitaria = scelta.sanitaria
        else:
            data["dieta"] = data["dieta_descrizione"] = ""
            sanitaria = False
        if sanitaria and not data.get("certificato") and "certificato" not in self.errors:
            self.add_error("certificato", CERTIFICATO_MANCANTE_ERROR)

    def _clean_alunno(self, data) -> None:
        figlio = data.get("consumatore")
        if figlio is not None:
            data.update(nome=figlio.nome, cognome=figlio.cognome, codice_fiscale=figlio.codice_fiscale,
                        data_nascita=figlio.data_nascita)
            for name in ("nome", "cognome", "codice_fiscale", "data_nascita"):
                self.errors.pop(name, None)
            return
        for name in ("nome", "cognome", "codice_fiscale", "data_nascita"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, DATI_ALUNNO_ERROR)
        codice, nascita = data.get("codice_fiscale"), data.get("data_nascita")
        if codice and nascita and "codice_fiscale" not in self.errors:
            from codicefiscale import codicefiscale

            decoded = codicefiscale.decode(codice)["birthdate"].date()
            if (decoded.month, decoded.day, decoded.year % 100) != (nascita.month, nascita.day, nascita.year % 100):
                self.add_error("codice_fiscale", CF_NASCITA_ERROR)

    def _clean_trasporto(self, data) -> None:
        linea, fermata = data.get("linea"), data.get("fermata")
        if linea is None or fermata is None:
            if "linea" not in self.errors and "fermata" not in self.errors:
                self.add_error("linea", LINEA_ERROR)
        elif fermata.linea_id != linea.pk:
            self.add_error("fermata", FERMATA_ERROR)
        if not data.get("percorso"):
            self.add_error("percorso", PERCORSO_ERROR)

    @property
    def isee_value(self) -> Decimal | None:
        return None if self.cleaned_data.get("isee_non_presentato") else self.cleaned_data.get("isee")

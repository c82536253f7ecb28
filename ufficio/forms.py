"""Filters and choices of the school office pages; every bad value names its field."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from consumatori.models import Classe, Scuola
from pagamenti.models import Servizio

from .models import Livello
from .selectors import FiltriMorosi

SI_NO = [("", _("Tutti")), ("si", _("Sì")), ("no", _("No"))]


def _si_no(value: str) -> bool | None:
    return {"si": True, "no": False}.get(value)


class FiltriMorosiForm(forms.Form):
    servizio = forms.ChoiceField(label=_("Servizio"), required=False,
                                 choices=[("", _("Tutti"))] + list(Servizio.choices))
    scuola = forms.ModelChoiceField(label=_("Scuola"), required=False, queryset=Scuola.objects.none(),
                                    empty_label=_("Tutte"))
    classe = forms.ModelChoiceField(label=_("Classe"), required=False, queryset=Classe.objects.none(),
                                    empty_label=_("Tutte"))
    importo_minimo = forms.DecimalField(label=_("Debito di almeno (€)"), required=False, min_value=Decimal("0"),
                                        max_value=Decimal("1000000"), max_digits=9, decimal_places=2)
    giorni_minimi = forms.IntegerField(label=_("A debito da almeno (giorni)"), required=False, min_value=0,
                                       max_value=3650)
    sospesi = forms.ChoiceField(label=_("Sospesi"), required=False, choices=SI_NO)
    sollecitati = forms.ChoiceField(label=_("Già sollecitati"), required=False, choices=SI_NO)
    pagina = forms.IntegerField(label=_("Pagina"), required=False, min_value=1, max_value=100000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Querysets are scoped: another comune's school or class is "not a valid choice".
        self.fields["scuola"].queryset = Scuola.objects.order_by("nome")
        self.fields["classe"].queryset = Classe.objects.select_related("scuola", "anno_scolastico").order_by(
            "scuola__nome", "anno", "sezione"
        )
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"

    def filtri(self) -> FiltriMorosi:
        data = self.cleaned_data
        return FiltriMorosi(
            servizio=data.get("servizio") or "",
            scuola_id=data["scuola"].pk if data.get("scuola") else None,
            classe_id=data["classe"].pk if data.get("classe") else None,
            importo_minimo=data.get("importo_minimo") or Decimal("0"),
            giorni_minimi=data.get("giorni_minimi") or 0,
            sospesi=_si_no(data.get("sospesi") or ""),
            sollecitati=_si_no(data.get("sollecitati") or ""),
        )

    def errori(self) -> list[str]:
        """'Field label: message' for each bad value, so the office knows which one to fix."""
        return [
            f"{self.fields[name].label}: {' '.join(messages)}" for name, messages in self.errors.items()
        ]


class InvioSollecitiForm(forms.Form):
    livello = forms.ChoiceField(label=_("Livello"), choices=Livello.choices)
    # "consumatore_id:servizio" of the accounts ticked on the page.
    conti = forms.MultipleChoiceField(label=_("Morosi selezionati"), required=False, choices=[])
    tutti = forms.BooleanField(label=_("Tutti i morosi dei filtri"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conti"].choices = [(v, v) for v in self.data.getlist("conti")] if hasattr(
            self.data, "getlist") else []

    def clean_conti(self) -> list[tuple[int, str]]:
        result = []
        for value in self.cleaned_data["conti"]:
            pk, _sep, servizio = value.partition(":")
            if not pk.isdigit() or len(pk) > 12 or servizio not in Servizio.values:
                raise forms.ValidationError(_("Selezione non valida."))
            result.append((int(pk), servizio))
        return result

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("conti") and not data.get("tutti"):
            raise forms.ValidationError({"conti": _("Seleziona almeno un moroso, oppure «tutti»." )})
        return data


FORMATI = [("html", _("Pagina")), ("csv", "CSV"), ("xlsx", "XLSX"), ("pdf", "PDF")]
MAX_GIORNI_REPORT = 400


class ReportForm(forms.Form):
    report = forms.ChoiceField(label=_("Report"), choices=[], widget=forms.Select(attrs={"class": "form-select"}))
    dal = forms.DateField(label=_("Dal"), required=False, widget=forms.DateInput(
        attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"))
    al = forms.DateField(label=_("Al"), required=False, widget=forms.DateInput(
        attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"))
    per_mese = forms.BooleanField(label=_("Raggruppa per mese"), required=False,
                                  widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    formato = forms.ChoiceField(label=_("Formato"), choices=FORMATI, required=False,
                                widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, oggi=None, **kwargs):
        from .report import REPORTS

        super().__init__(*args, **kwargs)
        self.fields["report"].choices = list(REPORTS.items())
        self.oggi = oggi

    def _check_year(self, name: str):
        value = self.cleaned_data.get(name)
        if value is not None and not 2000 <= value.year <= 2100:
            raise forms.ValidationError(_("Data fuori dall'intervallo ammesso."))
        return value

    def clean_dal(self):
        return self._check_year("dal")

    def clean_al(self):
        return self._check_year("al")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        oggi = self.oggi
        al = data.get("al") or oggi
        dal = data.get("dal") or al.replace(day=1)
        if dal > al:
            raise forms.ValidationError({"al": _("«Al» non può precedere «Dal».")})
        if (al - dal).days > MAX_GIORNI_REPORT:
            raise forms.ValidationError({"dal": _("Al massimo %(n)s giorni per report.") % {"n": MAX_GIORNI_REPORT}})
        data.update(dal=dal, al=al, formato=data.get("formato") or "html")
        return data

    def parametri(self) -> dict:
        data = self.cleaned_data
        return {"dal": data["dal"], "al": data["al"], "per_mese": data["per_mese"]}

    def errori(self) -> list[str]:
        return [
            f"{self.fields[name].label if name in self.fields else ''}: {' '.join(messages)}"
            for name, messages in self.errors.items()
        ]


class CorrezioneForm(forms.Form):
    consumatore = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    giorno = forms.DateField(label=_("Giorno"), widget=forms.DateInput(
        attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"))
    presente = forms.TypedChoiceField(label=_("Esito"), coerce=lambda v: v == "si",
                                      choices=[("no", _("Assente")), ("si", _("Presente"))],
                                      widget=forms.Select(attrs={"class": "form-select"}))
    motivo = forms.CharField(label=_("Motivo"), max_length=300, widget=forms.TextInput(attrs={"class": "form-control"}))

    def clean_giorno(self):
        value = self.cleaned_data["giorno"]
        if not 2000 <= value.year <= 2100:
            raise forms.ValidationError(_("Data fuori dall'intervallo ammesso."))
        return value


class CercaConsumatoreForm(forms.Form):
    q = forms.CharField(label=_("Cerca per cognome, nome o codice fiscale"), min_length=2, max_length=100,
                        required=False, widget=forms.TextInput(attrs={"class": "form-control"}))

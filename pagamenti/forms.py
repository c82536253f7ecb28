"""Forms of the family payment pages. Amount rules live in one function, used by every form."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from omnibus.formats import importo_it

from .models import Servizio

IMPORTO_NON_NUMERICO_ERROR = _("Indicare l'importo in euro, per esempio 25,00.")
IMPORTO_MINIMO_ERROR = _("La ricarica minima è di %(minimo)s €.")
IMPORTO_MASSIMO_ERROR = _("La ricarica massima è di %(massimo)s €.")
IMPORTO_DECIMALI_ERROR = _("L'importo può avere al massimo due decimali.")
DICHIARAZIONE_ERROR = _("Per proseguire occorre spuntare la dichiarazione.")

DEFAULT_MINIMO = Decimal("5.00")
DEFAULT_MASSIMO = Decimal("500.00")


def importo_parse(
    value: str | None, *, minimo: Decimal = DEFAULT_MINIMO, massimo: Decimal = DEFAULT_MASSIMO
) -> Decimal:
    """A top-up amount typed by a family ("25", "25,50", "25.50"), checked against the comune's limits."""
    text = (value or "").strip().replace("€", "").strip().replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation as error:
        raise ValidationError(IMPORTO_NON_NUMERICO_ERROR, code="importo_testo") from error
    if not amount.is_finite():
        raise ValidationError(IMPORTO_NON_NUMERICO_ERROR, code="importo_testo")
    if amount > massimo:  # before quantize(): 1e999999 has more digits than any context holds
        raise ValidationError(IMPORTO_MASSIMO_ERROR, code="importo_massimo", params={"massimo": importo_it(massimo)})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(IMPORTO_DECIMALI_ERROR, code="importo_decimali")
    if amount < minimo:
        raise ValidationError(IMPORTO_MINIMO_ERROR, code="importo_minimo", params={"minimo": importo_it(minimo)})
    if amount > massimo:
        raise ValidationError(IMPORTO_MASSIMO_ERROR, code="importo_massimo", params={"massimo": importo_it(massimo)})
    return amount.quantize(Decimal("0.01"))


class ImportoField(forms.CharField):
    def __init__(self, *args, minimo: Decimal = DEFAULT_MINIMO, massimo: Decimal = DEFAULT_MASSIMO, **kwargs):
        self.minimo, self.massimo = minimo, massimo
        kwargs.setdefault("label", _("Importo da ricaricare (€)"))
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return importo_parse(value, minimo=self.minimo, massimo=self.massimo)


class ImportoForm(forms.Form):
    importo = ImportoField()

    def __init__(self, *args, minimo: Decimal = DEFAULT_MINIMO, massimo: Decimal = DEFAULT_MASSIMO, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["importo"].minimo = minimo
        self.fields["importo"].massimo = massimo


class RicaricaForm(ImportoForm):
    servizio = forms.ChoiceField(label=_("Servizio"), choices=Servizio.choices)


class CheckoutForm(forms.Form):
    dichiaro = forms.BooleanField(
        label=_("Dichiaro di aver letto l'informativa sulla privacy e di voler ricaricare i conti indicati."),
        error_messages={"required": DICHIARAZIONE_ERROR},
    )
    modalita = forms.ChoiceField(choices=[("online", _("Paga online")), ("avviso", _("Genera l'avviso di pagamento"))])


class EmailAvvisoForm(forms.Form):
    email = forms.EmailField(label=_("Indirizzo e-mail"))

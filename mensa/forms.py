from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from omnibus.dates import DataField


class AssenzaForm(forms.Form):
    dal = DataField(label=_("Dal"), widget=forms.DateInput(attrs={"type": "date"}))
    al = DataField(label=_("Al (facoltativo)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class GiornoForm(forms.Form):
    giorno = DataField()


class PresenzaForm(forms.Form):
    consumatore = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    presente = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")

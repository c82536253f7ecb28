from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AssenzaForm(forms.Form):
    dal = forms.DateField(label=_("Dal"), widget=forms.DateInput(attrs={"type": "date"}))
    al = forms.DateField(label=_("Al (facoltativo)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class GiornoForm(forms.Form):
    giorno = forms.DateField()


class PresenzaForm(forms.Form):
    consumatore = forms.IntegerField()
    presente = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FILE_TROPPO_GRANDE = _("Il file supera %(mb)s MB.")


def max_bytes() -> int:
    return getattr(settings, "FDR_MAX_BYTES", 20 * 1024 * 1024)


class FlussoUploadForm(forms.Form):
    file = forms.FileField(label=_("File XML del flusso di rendicontazione (FlussoRiversamento)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise forms.ValidationError(FILE_TROPPO_GRANDE % {"mb": max_bytes() // (1024 * 1024)})
        return upload


class PeriodoForm(forms.Form):
    dal = forms.DateField(label=_("Dal"), required=False)
    al = forms.DateField(label=_("Al"), required=False)

    def clean(self):
        data = super().clean()
        oggi = timezone.localdate()
        al = data.get("al") or oggi
        dal = data.get("dal") or al - datetime.timedelta(days=30)
        if dal > al:
            raise forms.ValidationError(_("«Dal» deve precedere «Al»."))
        if (al - dal).days > 366:
            raise forms.ValidationError(_("Il periodo può essere al massimo di un anno."))
        if dal.year < 2000 or al.year > 2100:
            raise forms.ValidationError(_("Date fuori dall'intervallo ammesso."))
        data["dal"], data["al"] = dal, al
        return data


class EstrattoUploadForm(FlussoUploadForm):
    file = forms.FileField(label=_("Estratto giornaliero PuntoLIS (CSV)"))

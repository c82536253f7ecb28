"""CSV and XLSX of the reconciliation reports (tablib), anomalies first as on the pages."""

from __future__ import annotations

import tablib
from django.http import HttpResponse

from .models import FlussoRendicontazione
from .selectors import Giorno, flusso_righe, ricevute_senza_flusso

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def flusso_dataset(flusso: FlussoRendicontazione) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=["n", "iuv", "iur", "indice", "importo", "esito", "data_esito",
                                      "riconciliazione", "numero_avviso", "importo_ricevuta"],
                             title="Flusso"[:31])
    for riga in flusso_righe(flusso=flusso).select_related("posizione"):
        posizione = riga.posizione
        dataset.append([riga.progressivo, riga.iuv, riga.iur, riga.indice, riga.importo, riga.get_esito_display(),
                        riga.data_esito.isoformat(), riga.get_stato_display(),
                        posizione.numero_avviso if posizione else "",
                        posizione.importo if posizione and posizione.stato == "pagata" else ""])
    return dataset


def giorni_dataset(giorni: list[Giorno]) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=["giorno", "ricevute", "importo_ricevute", "rendicontati",
                                      "importo_rendicontato", "riconciliati", "anomalie_nei_flussi",
                                      "ricevute_senza_flusso"], title="Giorni")
    for g in giorni:
        dataset.append([g.giorno.isoformat(), g.ricevute, g.importo_ricevute, g.rendicontati,
                        g.importo_rendicontato, g.riconciliati, g.anomalie_flussi, g.senza_flusso])
    return dataset


def senza_flusso_dataset(comune) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=["numero_avviso", "iuv", "importo", "pagata_il"], title="Senza flusso")
    for posizione in ricevute_senza_flusso(comune=comune):
        dataset.append([posizione.numero_avviso, posizione.iuv, posizione.importo, posizione.pagata_il.isoformat()])
    return dataset


def respond(dataset: tablib.Dataset, formato: str, nome: str) -> HttpResponse:
    response = HttpResponse(dataset.export(formato), content_type=CONTENT_TYPES[formato])
    response["Content-Disposition"] = f'attachment; filename="{nome}.{formato}"'
    return response

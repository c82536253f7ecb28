"""Tabular exports (CSV, XLSX) built with tablib."""

from __future__ import annotations

import datetime

import tablib
from django.http import HttpResponse

from .selectors import Moroso

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def dataset_response(dataset: tablib.Dataset, *, formato: str, nome: str) -> HttpResponse:
    content = dataset.export(formato)
    response = HttpResponse(content, content_type=CONTENT_TYPES[formato])
    response["Content-Disposition"] = f'attachment; filename="{nome}.{formato}"'
    return response


def _it_date(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def morosi_dataset(righe: list[Moroso], *, oggi: datetime.date) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=[
        "Cognome", "Nome", "Codice fiscale", "Codice pagamento", "Scuola", "Classe", "Servizio", "Debito (€)",
        "Pasti a debito", "A debito dal", "Giorni a debito", "Ultimo pagamento", "Sospeso", "Ultimo sollecito",
        "Tutori", "E-mail", "Telefono",
    ], title="Morosi")
    for r in righe:
        c = r.consumatore
        classe = c.classe if c and c.classe_id else None
        s = r.ultimo_sollecito
        dataset.append([
            c.cognome, c.nome, c.codice_fiscale, c.codice_pagamento,
            classe.scuola.nome if classe else "", str(classe) if classe else "", r.servizio_label,
            r.debito, r.pasti_a_debito if r.pasti_a_debito is not None else "", _it_date(r.debito_dal),
            r.giorni_a_debito(oggi) if r.debito_dal else "", _it_date(r.ultimo_pagamento),
            "sì" if r.sospeso else "no",
            f"{s.get_livello_display()} del {s.inviato_il:%d/%m/%Y}" if s else (
                f"Avviso automatico del {r.avviso_trasporto:%d/%m/%Y}" if r.avviso_trasporto else ""),
            "; ".join(f"{t.nome} {t.cognome}" for t in r.tutori),
            "; ".join(filter(None, ((t.utente.email if t.utente_id else "") or t.email for t in r.tutori))),
            "; ".join(filter(None, (t.telefono for t in r.tutori))),
        ])
    return dataset

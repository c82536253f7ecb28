"""A flow as read from any source (XML file, REST FdR API), before it is checked and stored.

The XML `FlussoRiversamento` and the REST FdR carry the same data (pagopa/pagopa-api,
`xsd-common/FlussoRiversamento_1_0_4.xsd` and `openapi/fdr_organization.json`); both readers
produce a `FlussoLetto`, and `services.flusso_import` takes it from there.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from .models import EsitoPagamento

# REST payStatus <-> XML codiceEsitoSingoloPagamento.
PAY_STATUS_ESITO = {
    "EXECUTED": EsitoPagamento.ESEGUITO,
    "REVOKED": EsitoPagamento.REVOCATO,
    "STAND_IN": EsitoPagamento.STAND_IN,
    "STAND_IN_NO_RPT": EsitoPagamento.STAND_IN_SENZA_RPT,
    "NO_RPT": EsitoPagamento.SENZA_RPT,
}
ESITO_PAY_STATUS = {esito: status for status, esito in PAY_STATUS_ESITO.items()}


class FlussoNonValido(Exception):
    """The input is not a flow we can trust: every problem found, in the order met."""

    def __init__(self, errori: list[str]):
        super().__init__("; ".join(errori))
        self.errori = errori


@dataclass(frozen=True)
class PagamentoLetto:
    progressivo: int
    iuv: str
    iur: str
    indice: int
    importo: Decimal
    esito: str
    data_esito: datetime.date


@dataclass
class FlussoLetto:
    identificativo: str
    data_ora_flusso: datetime.datetime
    identificativo_regolamento: str
    data_regolamento: datetime.date
    psp_id: str
    psp_nome: str
    ente_ricevente: str
    numero_dichiarato: int
    importo_dichiarato: Decimal
    codice_bic: str = ""
    revisione: int = 1
    pagamenti: list[PagamentoLetto] = field(default_factory=list)

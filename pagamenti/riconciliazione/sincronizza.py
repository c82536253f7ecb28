"""Fetch the flows published on pagoPA's FdR API and import those not seen yet."""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone

from comuni.models import Comune

from .api import FdrApiError, FdrClient
from .flusso import FlussoNonValido
from .models import ConfigurazioneRiconciliazione, FlussoRendicontazione, OrigineFlusso
from .services import EsitoImport, flusso_import

logger = logging.getLogger(__name__)

GIORNI_INDIETRO = 30
API_NON_CONFIGURATA = "API FdR non configurata per questo comune (URL e chiave in «Configurazioni riconciliazione»)."


def fdr_api_configured(*, comune: Comune) -> bool:
    return ConfigurazioneRiconciliazione.objects.filter(comune=comune).exclude(fdr_api_key="").exclude(
        fdr_api_url="").exists()


def fdr_api_sync(*, comune: Comune, client: FdrClient | None = None) -> list[EsitoImport]:
    """Import each flow published in the last GIORNI_INDIETRO days that this comune does not have yet."""
    if client is None:
        config = ConfigurazioneRiconciliazione.objects.filter(comune=comune).first()
        if config is None or not config.fdr_api_key or not config.fdr_api_url:
            raise FdrApiError(API_NON_CONFIGURATA)
        client = FdrClient(base_url=config.fdr_api_url, api_key=config.fdr_api_key,
                           organization_id=comune.codice_fiscale)
    known = set(FlussoRendicontazione.objects.filter(comune=comune).values_list("identificativo", flat=True))
    esiti = []
    with client:
        for ref in client.flows(published_gt=timezone.now() - datetime.timedelta(days=GIORNI_INDIETRO)):
            if ref.fdr in known:
                continue
            try:
                flusso, impronta = client.flow(ref)
            except FlussoNonValido as error:
                esito = EsitoImport(errori=[f"{ref.fdr} (PSP {ref.psp_id}):", *error.errori])
            else:
                esito = flusso_import(comune=comune, flusso=flusso, origine=OrigineFlusso.API, impronta=impronta,
                                      nome_file=f"{ref.fdr} rev. {ref.revision}")
            if esito.errori:
                logger.warning("FdR %s refused for %s: %s", ref.fdr, comune.slug, "; ".join(esito.errori))
            known.add(ref.fdr)
            esiti.append(esito)
    return esiti

"""Demo reconciliation: an FdR XML file per demo comune, for the clerk to import on `make run`.

The demo's notice numbers carry random digits, so the IUVs are known only once `seed_demo` has made
the paid positions: the file is written then, into var/demo/fdr/FdR-<comune>.xml (not in the
repository). It lists every paid pagoPA position of the comune, as the PSP would report them,
with one planted anomaly: the last payment reported 0,50 € short of its receipt.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from comuni.models import Comune
from pagamenti.models import Posizione, StatoPosizione
from pagamenti.riconciliazione.flusso import FlussoLetto, PagamentoLetto
from pagamenti.riconciliazione.models import ConfigurazioneRiconciliazione, EsitoPagamento
from pagamenti.riconciliazione.xml import flusso_to_xml

from . import data

SCARTO_PIANTATO = Decimal("0.50")


def demo_dir() -> Path:
    return Path(settings.VAR_DIR) / "demo" / "fdr"


def demo_flusso(comune: Comune) -> FlussoLetto | None:
    """The flow a PSP would send for every paid position of the comune, one amount planted wrong."""
    posizioni = list(Posizione.objects.filter(comune=comune, stato=StatoPosizione.PAGATA).order_by("pagata_il", "pk"))
    if not posizioni:
        return None
    pagamenti = []
    for n, posizione in enumerate(posizioni, start=1):
        importo = posizione.importo - SCARTO_PIANTATO if n == len(posizioni) else posizione.importo
        pagamenti.append(PagamentoLetto(
            progressivo=n, iuv=posizione.iuv, iur=f"DEMO{posizione.pk:010d}", indice=1, importo=importo,
            esito=EsitoPagamento.ESEGUITO, data_esito=timezone.localdate(posizione.pagata_il)))
    regolamento = max(p.data_esito for p in pagamenti) + datetime.timedelta(days=1)
    return FlussoLetto(
        identificativo=f"{regolamento.isoformat()}DEMOITMM-{comune.slug.upper()[:8]}",
        data_ora_flusso=timezone.make_aware(datetime.datetime.combine(
            regolamento + datetime.timedelta(days=1), datetime.time(7, 30))),
        identificativo_regolamento=f"SCT-{regolamento:%Y%m%d}-{comune.pk:04d}", data_regolamento=regolamento,
        psp_id="DEMOITMM", psp_nome="Banca Dimostrativa S.p.A.", ente_ricevente=comune.codice_fiscale,
        numero_dichiarato=len(pagamenti), importo_dichiarato=sum((p.importo for p in pagamenti), Decimal("0.00")),
        pagamenti=pagamenti,
    )


def demo_riconciliazione_seed() -> list[Path]:
    """Idempotent: the reconciliation settings and the demo FdR file of each demo comune, rewritten."""
    written = []
    for comune in Comune.objects.filter(slug__in=[spec["slug"] for spec in data.COMUNI]).order_by("pk"):
        ConfigurazioneRiconciliazione.objects.get_or_create(comune=comune)
        flusso = demo_flusso(comune)
        if flusso is None:
            continue
        path = demo_dir() / f"FdR-{comune.slug}.xml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(flusso_to_xml(flusso, ente_nome=str(comune)))
        written.append(path)
    return written

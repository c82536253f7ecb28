"""pagoPA reconciliation: import and match an FdR XML of 10,000 payments (≤ 10 s, quality.md)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django_scopes import scope


def _paid_positions(size: int):
    """Set-based, untimed: a comune with `size` paid positions, as receipts would have left them."""
    from comuni.models import Comune, User
    from pagamenti.models import ConfigurazionePagamenti, ModalitaPagamento, Posizione, StatoPosizione, TipoGateway
    from pagamenti.pagopa.numero_avviso import iuv_of, notice_number

    comune, _ = Comune.objects.get_or_create(
        slug="bench-fdr", defaults={"nome": "Bench FdR", "codice_fiscale": "80009290737", "provincia": "TA"})
    utente, _ = User.objects.get_or_create(email="bench.fdr@example.org")
    with scope(comune=comune):
        ConfigurazionePagamenti.objects.update_or_create(comune=comune, defaults={"codice_segregazione": "09"})
        pagata_il = timezone.now() - datetime.timedelta(days=2)
        posizioni = []
        for n in range(size):
            numero = notice_number(codice_segregazione="09", iuv_base=f"{n + 1:013d}")
            posizioni.append(Posizione(
                comune=comune, utente=utente, numero_avviso=numero, iuv=iuv_of(numero), chiave_carrello=f"fdr-{n}",
                importo=Decimal(10 + n % 40), stato=StatoPosizione.PAGATA, pagata_il=pagata_il,
                modalita=ModalitaPagamento.AVVISO, gateway=TipoGateway.SANDBOX, scadenza=timezone.localdate()))
        return comune, Posizione.objects.bulk_create(posizioni, batch_size=2000)


def _flow_xml(comune, posizioni) -> bytes:
    from pagamenti.riconciliazione.flusso import FlussoLetto, PagamentoLetto
    from pagamenti.riconciliazione.xml import flusso_to_xml

    giorno = timezone.localdate() - datetime.timedelta(days=2)
    pagamenti = [PagamentoLetto(progressivo=n + 1, iuv=p.iuv, iur=f"IUR{n:010d}", indice=1, importo=p.importo,
                                esito="0", data_esito=giorno) for n, p in enumerate(posizioni)]
    return flusso_to_xml(FlussoLetto(
        identificativo=f"{giorno.isoformat()}BENCHITMM-0000001", data_ora_flusso=timezone.now(),
        identificativo_regolamento="SCT-BENCH-0001", data_regolamento=giorno, psp_id="BENCHITMM",
        psp_nome="Banca Bench", ente_ricevente=comune.codice_fiscale, numero_dichiarato=len(pagamenti),
        importo_dichiarato=sum((p.importo for p in pagamenti), Decimal("0.00")), pagamenti=pagamenti))


def run(ctx) -> None:
    from pagamenti.riconciliazione.models import FlussoRendicontazione, PagamentoRendicontato
    from pagamenti.riconciliazione.services import flusso_import_xml

    size = ctx.size(10_000)
    comune, posizioni = _paid_positions(size)
    content = _flow_xml(comune, posizioni)
    with scope(comune=comune):
        def reset():
            PagamentoRendicontato.objects.filter(comune=comune).delete()
            FlussoRendicontazione.objects.filter(comune=comune).delete()

        def import_flow():
            esito = flusso_import_xml(comune=comune, contenuto=content, origine="cartella")
            assert esito.creato and esito.flusso.anomalie == 0, (esito.errori[:3], esito.avvisi)

        runs = ctx.measure(import_flow, runs=3, setup=reset)
        assert PagamentoRendicontato.objects.filter(comune=comune, stato="riconciliato").count() == size
    ctx.report("fdr_import_10000_payments_s", runs, "s", 10)

"""Payments: avviso and PuntoLIS PDF render time, crediting receipts, importing opening balances."""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

from django.utils import timezone
from django_scopes import scope


def _setup(size: int):
    from codicefiscale import codicefiscale

    from comuni.models import Comune, User
    from consumatori.models import Consumatore
    from pagamenti.models import ConfigurazionePagamenti

    comune, _ = Comune.objects.get_or_create(
        slug="bench-pagamenti", defaults={"nome": "Bench Pagamenti", "codice_fiscale": "80009290737",
                                          "provincia": "TA"})
    utente, _ = User.objects.get_or_create(email="bench.pagamenti@example.org",
                                           defaults={"first_name": "Bench", "last_name": "Famiglia"})
    with scope(comune=comune):
        ConfigurazionePagamenti.objects.get_or_create(comune=comune)
        base = datetime.date(2016, 1, 1)
        consumatori = []
        for n in range(size):
            nome = "".join("ABCDEFGHIJ"[int(d)] for d in f"{n:06d}")
            cf = codicefiscale.encode(lastname="Bench", firstname=nome, gender="F",
                                      birthdate=(base + datetime.timedelta(days=n % 3000)).isoformat(),
                                      birthplace="Taranto")
            consumatori.append(Consumatore(comune=comune, nome=nome, cognome="Bench", codice_fiscale=cf,
                                           data_nascita=base))
        Consumatore.objects.bulk_create(consumatori, batch_size=2000, ignore_conflicts=True)
        consumatori = list(Consumatore.objects.filter(comune=comune).order_by("pk")[:size])
    return comune, utente, consumatori


def _positions(comune, utente, consumatori):
    """Set-based setup of one pending position per consumer (untimed): what checkout would have made."""
    from pagamenti.models import ModalitaPagamento, Posizione, RigaPosizione, TipoGateway
    from pagamenti.pagopa.numero_avviso import iuv_of, notice_number

    scadenza = timezone.localdate() + datetime.timedelta(days=30)
    posizioni = []
    for n, _consumatore in enumerate(consumatori):
        numero = notice_number(codice_segregazione="09", iuv_base=f"{n + 1:013d}")
        posizioni.append(Posizione(comune=comune, utente=utente, numero_avviso=numero, iuv=iuv_of(numero),
                                   chiave_carrello=f"bench-r{n}", importo=Decimal("20.00"),
                                   modalita=ModalitaPagamento.ONLINE, gateway=TipoGateway.SANDBOX,
                                   scadenza=scadenza))
    posizioni = Posizione.objects.bulk_create(posizioni, batch_size=2000)
    RigaPosizione.objects.bulk_create(
        [RigaPosizione(comune=comune, posizione=p, consumatore=c, servizio="mensa", importo=Decimal("20.00"))
         for p, c in zip(posizioni, consumatori, strict=True)], batch_size=2000)
    return posizioni


def run(ctx) -> None:
    import logging

    # Eager publication tasks log one line each: keep the report readable.
    logging.getLogger("celery").setLevel(logging.WARNING)
    from pagamenti.models import Movimento
    from pagamenti.pagopa.avviso import avviso_pdf
    from pagamenti.pagopa.gateway import RicevutaGateway
    from pagamenti.pagopa.services import RigaCarrello, posizione_create, ricevuta_receive
    from pagamenti.puntolis.qr import puntolis_pdf
    from pagamenti.saldi_iniziali import saldi_iniziali_apply, saldi_iniziali_parse

    receipts = ctx.size(10_000)
    balances = ctx.size(10_000)
    comune, utente, consumatori = _setup(max(receipts, balances))
    with scope(comune=comune):
        posizione, _ = posizione_create(comune=comune, utente=utente, modalita="avviso", chiave_carrello="bench-0",
                                        righe=[RigaCarrello(consumatori[0], "mensa", Decimal("25.00"))])
        avviso_pdf(posizione=posizione)  # warm fonts and templates
        runs = ctx.measure(lambda: avviso_pdf(posizione=posizione), runs=7)
        ctx.report("avviso_pdf_render_median_ms", [r * 1000 for r in runs], "ms", 300)
        puntolis_pdf(consumatore=consumatori[0])
        runs = ctx.measure(lambda: puntolis_pdf(consumatore=consumatori[0]), runs=7)
        ctx.report("puntolis_pdf_render_median_ms", [r * 1000 for r in runs], "ms", 300)

        # Crediting: positions made untimed, then every receipt credited (and delivered twice).
        posizioni = _positions(comune, utente, consumatori[:receipts])
        now = timezone.now()
        start = time.perf_counter()
        for p in posizioni:
            ricevuta_receive(comune=comune, origine="bench", ricevuta=RicevutaGateway(
                identificativo=f"RT-{p.numero_avviso}", numero_avviso=p.numero_avviso, importo=p.importo,
                psp="bench", pagata_il=now))
        first = time.perf_counter() - start
        # No target in the issue: 50 ms per receipt is our budget (a day's receipts of a big comune in minutes).
        ctx.report("receipt_crediting_ms_per_receipt", [first * 1000 / len(posizioni)], "ms", 50)
        start = time.perf_counter()
        for p in posizioni[: max(1, len(posizioni) // 10)]:
            ricevuta_receive(comune=comune, origine="bench", ricevuta=RicevutaGateway(
                identificativo=f"RT-{p.numero_avviso}", numero_avviso=p.numero_avviso, importo=p.importo,
                psp="bench", pagata_il=now))
        duplicate = (time.perf_counter() - start) * 1000 / max(1, len(posizioni) // 10)
        ctx.report("duplicate_receipt_ms_per_receipt", [duplicate], "ms", 50)
        credited = Movimento.objects.filter(comune=comune, tipo="ricarica_pagopa").count()
        assert credited == len(posizioni), (credited, len(posizioni))

        # Opening balances: dry run plus apply, in one transaction.
        lines = ["codice_fiscale,servizio,saldo"]
        lines += [f"{c.codice_fiscale},trasporto,{(n % 200) - 100}.50" for n, c in enumerate(consumatori[:balances])]
        content = "\n".join(lines).encode()
        durations = []

        def import_all():
            anteprima = saldi_iniziali_parse(comune=comune, content=content, filename="saldi.csv")
            assert not anteprima.errori, anteprima.errori[:3]
            saldi_iniziali_apply(comune=comune, anteprima=anteprima, creato_da=utente)

        def reset():
            Movimento.objects.filter(comune=comune, tipo="saldo_iniziale").delete()

        durations = ctx.measure(import_all, runs=3, setup=reset)
        ctx.report(f"opening_balance_import_{balances}_s", durations, "s", 30)

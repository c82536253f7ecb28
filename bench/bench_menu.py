"""Menu and diet benchmarks: the kitchen count split by diet in a 5,000-consumer comune, and the query
count of the consumer's Dettaglio with the week's menu and a diet applied.

Data: one comune with ctx.size(5_000) consumers, a 2-week menu for each school level, 1 in 12 children
gluten-free, 1 in 15 without pork, 1 in 50 with a bland meal on the benchmark day, 5% absent.
"""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

DAY = datetime.date(2026, 11, 23)  # a Monday


def _build(ctx):
    from comuni.models import Comune
    from consumatori.models import AnnoScolastico, Classe, Scuola, TipoScuola
    from mensa.models import Calendario, CalendarioScuola, PrezzoTariffa, Tariffa

    from .bench_mensa import _bulk_rows

    with scopes_disabled(), transaction.atomic():
        comune = Comune.objects.create(nome="Bench menù", slug="bench-menu", codice_fiscale="90000000001",
                                       provincia="TA")
        anno = AnnoScolastico.objects.create(comune=comune, nome="2026/27", data_inizio=datetime.date(2026, 9, 14),
                                             data_fine=datetime.date(2027, 6, 9))
        calendario = Calendario.objects.create(comune=comune, anno_scolastico=anno)
        tariffa = Tariffa.objects.create(comune=comune, nome="Tariffa intera")
        PrezzoTariffa.objects.create(comune=comune, tariffa=tariffa, valido_dal=datetime.date(2026, 9, 1),
                                     importo=Decimal("4.10"))
        classi = []
        for tipo in TipoScuola.values:
            scuola = Scuola.objects.create(comune=comune, nome=f"Scuola {tipo}", tipo=tipo)
            CalendarioScuola.objects.create(comune=comune, calendario=calendario, scuola=scuola,
                                            data_inizio=datetime.date(2026, 9, 21), data_fine=datetime.date(2027, 6, 4))
            classi += [Classe.objects.create(comune=comune, scuola=scuola, anno_scolastico=anno, anno=a, sezione="A")
                       for a in range(1, 6)]
        _bulk_rows([(comune, [c.pk for c in classi], tariffa.pk, ctx.size(5_000))])
        senza_glutine, senza_maiale = _menu(comune)
        with connection.cursor() as cursor:
            for tipo_id, modulo in ((senza_glutine.pk, 12), (senza_maiale.pk, 15)):
                cursor.execute(
                    """
                    INSERT INTO mensa_dietaconsumatore (comune_id, consumatore_id, tipo_id, data_inizio, note,
                        certificato, creata_il)
                    SELECT comune_id, id, %s, DATE '2026-09-01', '', '', now()
                    FROM consumatori_consumatore WHERE comune_id = %s AND id %% %s = 0
                    """,
                    [tipo_id, comune.pk, modulo],
                )
            cursor.execute(
                """
                INSERT INTO mensa_pastoinbianco (comune_id, consumatore_id, giorno, registrato_il, registrato_da_id)
                SELECT comune_id, id, %s, TIMESTAMPTZ '2026-11-23 07:30:00+01',
                    (SELECT id FROM comuni_user WHERE email = 'bench@example.org')
                FROM consumatori_consumatore WHERE comune_id = %s AND id %% 50 = 1
                """,
                [DAY, comune.pk],
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return comune


def _menu(comune):
    from consumatori.models import TipoScuola
    from mensa.menu.models import CicloMenu, Ingrediente, PeriodoMenu, Piatto, PiattoSostitutivo, TipoDieta, VoceMenu

    pasta = Ingrediente.objects.create(comune=comune, nome="pasta di semola", allergeni=["glutine"])
    pasta_sg = Ingrediente.objects.create(comune=comune, nome="pasta senza glutine")
    maiale = Ingrediente.objects.create(comune=comune, nome="prosciutto cotto")
    pesce = Ingrediente.objects.create(comune=comune, nome="merluzzo", allergeni=["pesce"])
    piatti = {}
    for nome, ingredienti in (("Pasta al prosciutto", [pasta, maiale]), ("Pasta senza glutine", [pasta_sg]),
                              ("Merluzzo al forno", [pesce])):
        piatti[nome] = Piatto.objects.create(comune=comune, nome=nome)
        piatti[nome].ingredienti.set(ingredienti)
    senza_glutine = TipoDieta.objects.create(comune=comune, nome="Senza glutine", categoria="sanitaria",
                                             allergeni_esclusi=["glutine"])
    senza_maiale = TipoDieta.objects.create(comune=comune, nome="Senza maiale", categoria="etico_religiosa")
    senza_maiale.ingredienti_esclusi.set([maiale])
    for dieta in (senza_glutine, senza_maiale):
        PiattoSostitutivo.objects.create(comune=comune, piatto=piatti["Pasta al prosciutto"], dieta=dieta,
                                         sostituto=piatti["Pasta senza glutine"])
    for livello in TipoScuola.values:
        ciclo = CicloMenu.objects.create(comune=comune, nome=f"Invernale {livello}", livello=livello,
                                         stagione="invernale", settimane=2)
        PeriodoMenu.objects.create(comune=comune, ciclo=ciclo, livello=livello, data_inizio=datetime.date(2026, 11, 2),
                                   data_fine=datetime.date(2027, 3, 31))
        VoceMenu.objects.bulk_create([
            VoceMenu(comune=comune, ciclo=ciclo, settimana=s, giorno_settimana=g, portata=p, piatto=piatti[n])
            for s in (1, 2) for g in range(5)
            for p, n in (("primo", "Pasta al prosciutto"), ("secondo", "Merluzzo al forno"))
        ])
    return senza_glutine, senza_maiale


def _dettaglio_queries(comune) -> list[float]:
    """Queries of the Dettaglio of a gluten-free child, for two months and two children."""
    from comuni.models import User
    from consumatori.models import Consumatore, Tutore
    from mensa.menu.models import DietaConsumatore

    with scopes_disabled():
        user = User.objects.create_user(email="famiglia.bench@example.org", password=None)
        ids = list(DietaConsumatore.objects.filter(comune=comune).order_by("consumatore_id")
                   .values_list("consumatore_id", flat=True)[:2])
        for consumatore in Consumatore.objects.filter(pk__in=ids):
            Tutore.objects.create(comune=comune, consumatore=consumatore, nome="Bench", cognome="Famiglia",
                                  utente=user)
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    counts = []
    # The render path: with the family-page cache on, a repeated request is a hit and runs no SQL at all.
    with override_settings(FAMILY_PAGE_CACHE_SECONDS=0):
        for pk in ids:
            for mese in ("2026-11", "2027-02"):
                url = f"/{comune.slug}/consumatori/{pk}/?mese={mese}"
                client.get(url)
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(url).status_code == 200
                counts.append(float(len(queries)))
    return counts


def run(ctx) -> None:
    from django.utils import timezone

    from mensa.selectors import conteggio_cucina

    comune = _build(ctx)
    timings, counts = [], []
    with scope(comune=comune):
        righe = conteggio_cucina(comune=comune, giorno=DAY)
        print(f"  {sum(r.pasti for r in righe)} meals, {len({r.dieta for r in righe}) - 1} diet labels", flush=True)
        for _ in range(7):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                conteggio_cucina(comune=comune, giorno=DAY)
                timings.append((time.perf_counter() - start) * 1000)
            counts.append(float(len(queries)))
    ctx.report("kitchen_count_by_diet_5000_consumers_ms", timings, "ms", 200)
    ctx.report("kitchen_count_by_diet_queries", counts, "queries", 3)
    real_now = timezone.now
    timezone.now = lambda: datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)  # the menu's week
    try:
        detail = _dettaglio_queries(comune)
    finally:
        timezone.now = real_now
    # Fixed: the same count for every child and month (the test asserts 21 with database sessions).
    ctx.report("consumer_detail_with_menu_queries", detail, "queries", 21, value=max(detail))
    ctx.report("consumer_detail_with_menu_queries_spread", [max(detail) - min(detail)], "queries", 0)

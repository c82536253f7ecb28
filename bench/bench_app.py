"""The app (PWA) benchmarks: syncing a tablet's offline queue of canteen taps; pushing to 10,000 devices.

`offline_attendance_sync_500_taps_ms`: one POST of 500 queued taps (500 children of one comune, one
tap each, new device ids) to the operator's sync endpoint through the whole Django stack; each tap
must be recorded once (checked after the runs, and a replay of the last batch records nothing).
"""

from __future__ import annotations

import datetime
import json
import uuid
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

DAY = datetime.date(2026, 11, 23)  # a Monday
NOW = datetime.datetime(2026, 11, 23, 8, 30, tzinfo=ZoneInfo("Europe/Rome"))
TAPS = 500
URL = "/bench-app/mensa/operatore/sincronizza/"


def _build():
    from allauth.mfa.totp.internal.auth import TOTP

    from comuni.models import Comune, Ruolo, User
    from comuni.services import incarico_assign
    from consumatori.models import AnnoScolastico, Classe, Consumatore, Scuola, TipoScuola
    from mensa.models import Calendario, CalendarioScuola, IscrizioneMensa, PrezzoTariffa, Tariffa

    with scopes_disabled(), transaction.atomic():
        comune = Comune.objects.create(nome="Bench App", slug="bench-app", codice_fiscale="90000000001",
                                       provincia="TA")
        anno = AnnoScolastico.objects.create(comune=comune, nome="2026/27", data_inizio=datetime.date(2026, 9, 14),
                                             data_fine=datetime.date(2027, 6, 9))
        calendario = Calendario.objects.create(comune=comune, anno_scolastico=anno)
        tariffa = Tariffa.objects.create(comune=comune, nome="Tariffa intera")
        PrezzoTariffa.objects.create(comune=comune, tariffa=tariffa, valido_dal=datetime.date(2026, 9, 1),
                                     importo=Decimal("4.10"))
        scuola = Scuola.objects.create(comune=comune, nome="Scuola primaria", tipo=TipoScuola.values[1])
        CalendarioScuola.objects.create(comune=comune, calendario=calendario, scuola=scuola,
                                        data_inizio=datetime.date(2026, 9, 21), data_fine=datetime.date(2027, 6, 4))
        classi = [Classe.objects.create(comune=comune, scuola=scuola, anno_scolastico=anno, anno=a, sezione="A")
                  for a in range(1, 6)]
        consumatori = Consumatore.objects.bulk_create([
            Consumatore(comune=comune, nome="Nome", cognome=f"Cognome{n:04d}", codice_fiscale=f"BNCAPP{n:010d}",
                        data_nascita=datetime.date(2018, 1, 1), classe=classi[n % 5], codice_pagamento=f"APP{n:09d}")
            for n in range(TAPS)
        ])
        IscrizioneMensa.objects.bulk_create([
            IscrizioneMensa(comune=comune, consumatore=c, tariffa=tariffa, data_inizio=datetime.date(2026, 9, 14))
            for c in consumatori
        ])
        operatore = User.objects.create_user(email="operatore.bench@example.org", password=None)
    incarico_assign(user=operatore, comune=comune, ruolo=Ruolo.OPERATORE_MENSA)
    TOTP.activate(operatore, "JBSWY3DPEHPK3PXP")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return comune, operatore, [c.pk for c in consumatori]


def _batch(ids: list[int]) -> bytes:
    return json.dumps({"tocchi": [
        {"id": str(uuid.uuid4()), "consumatore": pk, "giorno": DAY.isoformat(), "presente": str(n % 7 and 1 or 0),
         "registrato_il": (NOW + datetime.timedelta(seconds=n)).isoformat()}
        for n, pk in enumerate(ids)
    ]}).encode()


def run(ctx) -> None:
    from django.test import Client

    from pwa.models import Tocco

    with mock.patch.object(timezone, "now", lambda: NOW):
        comune, operatore, ids = _build()
        client = Client()
        client.force_login(operatore)
        batches: list[bytes] = []

        def setup():
            batches.append(_batch(ids))

        def sync():
            response = client.post(URL, batches[-1], content_type="application/json")
            assert response.status_code == 200, response.status_code
            assert all(a["esito"] == "accettato" for a in response.json()["esiti"])

        runs = ctx.measure(sync, runs=3 if ctx.quick else 7, setup=setup)
        replay = client.post(URL, batches[-1], content_type="application/json").json()["esiti"]
        with scope(comune=comune):
            recorded = Tocco.objects.count()
    if recorded != TAPS * len(runs) or any(a["esito"] != "gia_registrato" for a in replay):
        raise AssertionError(f"taps recorded {recorded}, expected {TAPS * len(runs)} once each")
    ctx.report("offline_attendance_sync_500_taps_ms", [r * 1000 for r in runs], "ms", 2000)
    _push_fanout(ctx)


def _push_fanout(ctx) -> None:
    """`push_fanout_10000_devices_s`: 2,000 families with 5 devices each (a tenth with --quick) get one
    message each through notifica_send; the pushes are queued (one row per device) and sent to a local
    fake push service (tests/fakes/push_service.py, encryption checked by format, not decrypted)."""
    from comuni.models import Comune, User
    from notifiche.models import DispositivoPush, InvioPush, StatoInvio
    from notifiche.services import notifica_send
    from tests.fakes.push_service import FakePushService

    n_devices = ctx.size(10_000)
    n_families = n_devices // 5
    service = FakePushService(decrypt=False, in_process=True)
    with mock.patch("django.conf.settings.WEBPUSH_ALLOWED_HTTP_HOSTS", ["127.0.0.1"]), \
            mock.patch("django.conf.settings.PUSH_SERVICE_HOSTS", ["127.0.0.1"]):
        with scopes_disabled(), transaction.atomic():
            comune = Comune.objects.create(nome="Bench Push", slug="bench-push", codice_fiscale="90000000002",
                                           provincia="TA")
            users = User.objects.bulk_create([User(email=f"famiglia{n}@bench.example") for n in range(n_families)])
            rows = []
            for user in users:
                for _ in range(5):
                    s = service.subscribe()
                    keys = s.keys()
                    rows.append(DispositivoPush(comune=comune, user=user, endpoint=service.endpoint(s),
                                                p256dh=keys["p256dh"], auth=keys["auth"]))
            DispositivoPush.objects.bulk_create(rows)

        def fanout():
            with scope(comune=comune), transaction.atomic():
                for n, user in enumerate(users):
                    notifica_send(comune=comune, user=user, titolo="Credito in esaurimento",
                                  testo="Il credito della mensa è sotto i 10,00 €.", chiave=f"bench:{n}:{time_key()}",
                                  email=False)

        with service:
            runs = ctx.measure(fanout, runs=1)
        with scope(comune=comune):
            sent = InvioPush.objects.filter(stato=StatoInvio.INVIATO).count()
    if sent != n_devices or service.accepted.value != n_devices:
        raise AssertionError(f"pushes sent {sent}, accepted {service.accepted.value}, expected {n_devices}")
    ctx.report("push_fanout_10000_devices_s", runs, "s", 60)


def time_key() -> str:
    import time

    return str(time.time_ns())

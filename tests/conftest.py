"""Shared fixtures: two comuni and the people who must or must not see their data.

alice: a Leporano parent with two children.   bob: municipal staff of Leporano.
charlie: a Pulsano parent (must never see Leporano data, and the other way round).
dora: municipal staff of Pulsano.
"""

from __future__ import annotations

import pytest
from django_scopes import scope

from comuni.models import Ruolo
from comuni.services import incarico_assign

from .factories import ClasseFactory, ComuneFactory, ConsumatoreFactory, TutoreFactory, UserFactory, totp_activate

PASSWORD = "Password-di-prova-1"


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    from omnibus.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _broker_breaker_closed():
    """Every test starts with the publish breaker closed (omnibus.publish): a test that made the broker fail
    must not leave the next one's tasks unqueued for the breaker's five seconds."""
    from omnibus import publish

    publish._down_until = 0.0
    yield
    publish._down_until = 0.0


@pytest.fixture(autouse=True)
def _private_cache(settings):
    # A fresh in-process cache per test: rate limits and cached pages never leak between tests,
    # nor between test processes sharing one Redis server.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}}
    # Family pages are cached in every test (one process: the in-process cache is shared), so that any
    # write that forgets to bump its version stamps shows up as a stale page in the tests that follow it.
    settings.FAMILY_PAGE_CACHE_SECONDS = 600
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _database_sessions(settings):
    # Query counts asserted by the tests include the session read: keep it whatever REDIS_URL says.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


@pytest.fixture
def leporano(db):
    return ComuneFactory(nome="Leporano", slug="leporano", codice_fiscale="80009290737")


@pytest.fixture
def pulsano(db):
    return ComuneFactory(nome="Pulsano", slug="pulsano", codice_fiscale="80009310733")


@pytest.fixture
def alice(leporano):
    user = UserFactory(email="alice@example.org", first_name="Alice", last_name="Lacaita")
    classe = ClasseFactory(comune=leporano, anno=3, sezione="B", scuola__nome="Scuola primaria «Giovanni XXIII»")
    for nome in ("Sofia", "Leonardo"):
        child = ConsumatoreFactory(comune=leporano, nome=nome, cognome="Lacaita", classe=classe)
        TutoreFactory(comune=leporano, consumatore=child, utente=user, nome="Alice", cognome="Lacaita")
    return user


@pytest.fixture
def alice_children(alice, leporano):
    from consumatori.models import Consumatore

    with scope(comune=leporano):
        return list(Consumatore.objects.filter(tutori__utente=alice).order_by("nome"))


@pytest.fixture
def charlie(pulsano):
    user = UserFactory(email="charlie@example.org", first_name="Carlo", last_name="Semeraro")
    classe = ClasseFactory(comune=pulsano, anno=1, sezione="A", scuola__nome="Scuola primaria «De Amicis»")
    child = ConsumatoreFactory(comune=pulsano, nome="Tommaso", cognome="Semeraro", classe=classe)
    TutoreFactory(comune=pulsano, consumatore=child, utente=user, nome="Carlo", cognome="Semeraro")
    return user


@pytest.fixture
def charlie_child(charlie, pulsano):
    from consumatori.models import Consumatore

    with scope(comune=pulsano):
        return Consumatore.objects.get(tutori__utente=charlie)


@pytest.fixture
def bob(leporano):
    user = UserFactory(email="bob@example.org", first_name="Roberto", last_name="Ufficio")
    incarico_assign(user=user, comune=leporano, ruolo=Ruolo.UFFICIO_SCUOLA)
    totp_activate(user)  # staff have a second factor, or the admin does not open
    return user


@pytest.fixture
def dora(pulsano):
    user = UserFactory(email="dora@example.org", first_name="Dora", last_name="Ufficio")
    incarico_assign(user=user, comune=pulsano, ruolo=Ruolo.UFFICIO_SCUOLA)
    totp_activate(user)
    return user


@pytest.fixture
def admin_user(db):
    """pytest-django's superuser, with the second factor every admin user needs."""
    user = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    totp_activate(user)
    return user


IO_CF = "DBLLCU80A41L049X"  # alice's codice fiscale, verified, on App IO
IO_KEYS = {"mensa": "chiave-io-mensa", "trasporto": "chiave-io-trasporto"}


@pytest.fixture
def io(settings, leporano, alice):
    """Leporano's canteen and bus services on a fake App IO (tests/fakes/io_server.py, written from IO's
    OpenAPI), with alice on IO and her codice fiscale verified; yields the fake (its `messages`)."""
    from notifiche.models import ServizioIO
    from tests.fakes.io_server import FakeIO

    with FakeIO(keys=set(IO_KEYS.values())) as fake:
        settings.APP_IO_BASE_URL = fake.base_url
        settings.APP_IO_TIMEOUT_SECONDS = 2
        fake.citizens[IO_CF] = True
        alice.codice_fiscale, alice.codice_fiscale_verificato = IO_CF, True
        alice.save()
        with scope(comune=leporano):
            for ambito, key in IO_KEYS.items():
                ServizioIO.objects.create(comune=leporano, ambito=ambito, nome=f"Servizio {ambito}", api_key=key)
        yield fake

"""School office fixtures: accounts in debit written into the ledger as the nightly jobs would."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from pagamenti.models import TipoMovimento
from pagamenti.services import movimento_register
from tests.mensa.conftest import clock  # noqa: F401 - the canteen tests' clock fixture
from tests.pagamenti.conftest import configure


def giorni_fa(n: int) -> datetime.date:
    from django.utils import timezone

    return timezone.localdate() - datetime.timedelta(days=n)


def pasti(child, giorni: int, prezzo: str = "4.10", dal: datetime.date | None = None) -> None:
    """`giorni` meals debited on consecutive days from `dal` (default: 60 days ago)."""
    dal = dal or giorni_fa(60)
    with scope(comune=child.comune):
        for i in range(giorni):
            giorno = dal + datetime.timedelta(days=i)
            movimento_register(consumatore=child, servizio="mensa", tipo=TipoMovimento.PASTO, importo=-Decimal(prezzo),
                               data_valuta=giorno, chiave=f"pasto:{giorno.isoformat()}")


def ricarica(child, importo: str, giorno: datetime.date, servizio: str = "mensa", chiave: str | None = None,
             tipo: str = TipoMovimento.RICARICA_PUNTOLIS):
    with scope(comune=child.comune):
        return movimento_register(consumatore=child, servizio=servizio, tipo=tipo, importo=Decimal(importo),
                                  data_valuta=giorno, chiave=chiave or f"lis:{child.pk}:{giorno}:{importo}")[0]


def mensilita(child, importo: str, mese: str) -> None:
    with scope(comune=child.comune):
        movimento_register(consumatore=child, servizio="trasporto", tipo=TipoMovimento.MENSILITA,
                           importo=-Decimal(importo), data_valuta=datetime.date.fromisoformat(f"{mese}-01"),
                           chiave=f"mese:{mese}")


@pytest.fixture
def bob_client(bob) -> Client:
    client = Client()
    client.force_login(bob)
    return client


@pytest.fixture
def dora_client(dora) -> Client:
    client = Client()
    client.force_login(dora)
    return client


@pytest.fixture
def config_leporano(leporano):
    return configure(leporano)


def print_letters(client: Client, invio, capture) -> HttpResponse:
    """Click the job's "Stampa le lettere" button, let the export run, download the file its page links."""
    kwargs = {"comune": invio.comune.slug, "pk": invio.pk}
    with capture(execute=True):
        response = client.post(reverse("ufficio:invio_stampa", kwargs=kwargs))
    assert response.status_code == 302 and response["Location"] == reverse("ufficio:invio", kwargs=kwargs)
    page = client.get(response["Location"]).content.decode()
    link = re.search(r'href="(/[^"]+/esportazioni/\d+/file)"', page)
    assert link, "the job's page links no file to download"
    return client.get(link.group(1))

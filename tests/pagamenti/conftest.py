"""Payment configuration of the test comuni (sandbox gateway) and helpers for the payment tests."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_scopes import scope

from pagamenti.models import ConfigurazionePagamenti, TipoGateway
from pagamenti.pagopa import gpd as gpd_module
from pagamenti.pagopa.services import RigaCarrello, posizione_create

from .fake_pagopa import API_KEY, FakePagoPA

LIS_SECRET = "segreto-lis-di-prova"


def configure(comune, **fields) -> ConfigurazionePagamenti:
    with scope(comune=comune):
        config, _ = ConfigurazionePagamenti.objects.update_or_create(
            comune=comune, defaults={"gateway": TipoGateway.SANDBOX, "lis_segreto": LIS_SECRET,
                                     "iban": "IT60X0542811101000000123456", **fields},
        )
        return config


@pytest.fixture
def config_leporano(leporano):
    return configure(leporano)


@pytest.fixture
def config_pulsano(pulsano):
    return configure(pulsano)


@pytest.fixture
def pagopa(monkeypatch):
    monkeypatch.setattr(gpd_module, "GPD_TIMEOUT_SECONDS", 0.3)
    fake = FakePagoPA()
    yield fake
    fake.stop()


def gpd_config(comune, fake, **fields):
    return configure(comune, gateway=TipoGateway.GPD, gpd_url=fake.gpd_url, gpd_api_key=API_KEY,
                     checkout_url=fake.checkout_url, gpd_ricevute_url=fake.receipts_url, **fields)


def new_position(comune, utente, righe, chiave="k", modalita="avviso", capture=None):
    with scope(comune=comune):
        if capture is None:
            return posizione_create(comune=comune, utente=utente, modalita=modalita, chiave_carrello=chiave,
                                    righe=righe)[0]
        with capture(execute=True):
            return posizione_create(comune=comune, utente=utente, modalita=modalita, chiave_carrello=chiave,
                                    righe=righe)[0]


@pytest.fixture
def posizione_gpd(pagopa, leporano, alice, alice_children, django_capture_on_commit_callbacks):
    gpd_config(leporano, pagopa)
    return new_position(leporano, alice, [RigaCarrello(alice_children[0], "mensa", Decimal("20.00")),
                                          RigaCarrello(alice_children[1], "trasporto", Decimal("10.00"))],
                        capture=django_capture_on_commit_callbacks)

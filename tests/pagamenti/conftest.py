"""Payment configuration of the test comuni (sandbox gateway) and helpers for the payment tests."""

from __future__ import annotations

import pytest
from django_scopes import scope

from pagamenti.models import ConfigurazionePagamenti, TipoGateway

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

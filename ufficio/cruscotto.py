"""Reads of the cruscotto."""

from __future__ import annotations

from comuni.models import Comune


def cruscotto_data(*, comune: Comune) -> dict:
    return {}

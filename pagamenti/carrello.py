"""The cart lives in the session: a list of top-ups and a key that names this cart once.

The key becomes the position's `chiave_carrello`: a second click or a second tab paying the same
cart finds the position already made instead of making another one.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.http import HttpRequest

SESSION_KEY = "pagamenti_carrello"
MAX_RIGHE = 20


def _data(request: HttpRequest) -> dict:
    slug = request.comune.slug
    carrelli = request.session.setdefault(SESSION_KEY, {})
    if slug not in carrelli:
        carrelli[slug] = {"chiave": secrets.token_hex(16), "righe": []}
        request.session.modified = True
    return carrelli[slug]


def righe_of(request: HttpRequest) -> list[dict]:
    """[{"consumatore": id, "servizio": "mensa", "importo": "25.00"}, ...]"""
    return list(_data(request)["righe"])


def carrello_chiave(request: HttpRequest) -> str:
    return _data(request)["chiave"]


def carrello_add(request: HttpRequest, *, consumatore_id: int, servizio: str, importo: Decimal) -> None:
    """Add a top-up; the same account twice is one line with the newer amount."""
    data = _data(request)
    righe = [r for r in data["righe"] if not (r["consumatore"] == consumatore_id and r["servizio"] == servizio)]
    righe.append({"consumatore": consumatore_id, "servizio": servizio, "importo": str(importo)})
    data["righe"] = righe[-MAX_RIGHE:]
    data["chiave"] = secrets.token_hex(16)  # a changed cart is a new cart
    request.session.modified = True


def carrello_remove(request: HttpRequest, *, indice: int) -> None:
    data = _data(request)
    if 0 <= indice < len(data["righe"]):
        del data["righe"][indice]
        data["chiave"] = secrets.token_hex(16)
        request.session.modified = True


def carrello_empty(request: HttpRequest) -> None:
    request.session.get(SESSION_KEY, {}).pop(request.comune.slug, None)
    request.session.modified = True

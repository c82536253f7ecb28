"""Helpers shared by the payment tests: walk the RICARICA path like a family does."""

from __future__ import annotations

from django.urls import reverse


def url(name: str, **kwargs) -> str:
    kwargs.setdefault("comune", "leporano")
    return reverse(f"pagamenti:{name}", kwargs=kwargs)


def add_to_cart(client, child, importo="25.00", servizio="mensa", comune="leporano"):
    return client.post(url("ricarica_consumatore", comune=comune, pk=child.pk),
                       {"servizio": servizio, "importo": importo})


def checkout(client, modalita="avviso", comune="leporano", dichiaro=True):
    page = client.get(url("checkout", comune=comune))
    chiave = page.context["chiave"]
    data = {"chiave": chiave, "modalita": modalita}
    if dichiaro:
        data["dichiaro"] = "on"
    return client.post(url("checkout", comune=comune), data), chiave

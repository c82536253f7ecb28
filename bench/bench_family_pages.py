"""Family pages against a trivial Django view on the same server: throughput ratio."""

from __future__ import annotations

from django.test import Client
from django_scopes import scopes_disabled


def run(ctx) -> None:
    from django.core.management import call_command

    from consumatori.models import Tutore

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with scopes_disabled():
        tutore = Tutore.objects.filter(utente__isnull=False, comune__slug="leporano").select_related("utente").first()
    client = Client()
    client.force_login(tutore.utente)
    requests = 50 if ctx.quick else 300

    def hit(url: str) -> None:
        for _ in range(requests):
            assert client.get(url).status_code == 200

    trivial = ctx.measure(lambda: hit("/healthz/"), runs=3)
    home = ctx.measure(lambda: hit("/leporano/"), runs=3)
    ratio = [t / h for t, h in zip(trivial, home, strict=True)]
    ctx.report("cittadino_home_throughput_vs_trivial_view_ratio", ratio, "ratio", 0.5, higher_is_better=True)

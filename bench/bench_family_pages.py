"""Family pages served by gunicorn against a trivial Django view on the same server (throughput ratio)."""

from __future__ import annotations

from django.test import Client
from django_scopes import scopes_disabled

from .http import gunicorn, wrk


def _family_session() -> tuple[str, str, int]:
    from django.core.management import call_command

    from consumatori.models import Tutore

    with open("/dev/null", "w") as devnull:
        call_command("seed_demo", stdout=devnull)
    with scopes_disabled():
        tutore = (
            Tutore.objects.filter(utente__isnull=False, comune__slug="leporano")
            .select_related("utente").order_by("pk").first()
        )
    client = Client()
    client.force_login(tutore.utente)
    return "leporano", f"sessionid={client.cookies['sessionid'].value}", tutore.consumatore_id


# quality.md: home ≥ 0.3, detail ≥ 0.15, payments ≥ 0.15 of a trivial view's throughput.
TARGETS = {"cittadino_home": 0.3, "consumer_detail_month": 0.15, "payments_page": 0.15}


def family_urls(slug: str, consumatore_id: int) -> dict[str, str]:
    """The family pages of quality.md: home, consumer detail with the month's days, payments."""
    return {
        "cittadino_home": f"/{slug}/",
        "consumer_detail_month": f"/{slug}/consumatori/{consumatore_id}/?mese=2026-11",
        "payments_page": f"/{slug}/pagamenti/",
    }


def run(ctx) -> None:
    slug, cookie, consumatore_id = _family_session()
    seconds = 3 if ctx.quick else 10
    with gunicorn() as base:
        wrk(base + "/healthz/", 1, cookie=cookie)  # warm up both workers
        trivial = [wrk(base + "/healthz/", seconds, cookie=cookie)["rps"] for _ in range(3)]
        ctx.report("trivial_view_throughput", trivial, "req/s", 0, higher_is_better=True)
        for name, path in family_urls(slug, consumatore_id).items():
            wrk(base + path, 1, cookie=cookie)
            page = [wrk(base + path, seconds, cookie=cookie) for _ in range(3)]
            ratios = [p["rps"] / t for p, t in zip(page, trivial, strict=True)]
            ctx.report(f"{name}_throughput_vs_trivial_view_ratio", ratios, "ratio", TARGETS[name],
                       higher_is_better=True)
            ctx.report(f"{name}_p99_latency", [p["p99_ms"] for p in page], "ms", 1000)

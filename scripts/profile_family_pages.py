"""Profile the family pages as gunicorn calls them (the WSGI application, no test client), with cProfile.

Usage (PostgreSQL and Redis as in production, on a database with `manage.py seed_demo`):

    .venv/bin/python scripts/profile_family_pages.py [home|detail|pagamenti|healthz|all] [requests] [--profile]

The first family of Leporano is logged in; each page is requested twice (render, then cached), then
timed over `requests` requests; --profile prints the top costs (cumulative and own time). Set
FAMILY_PAGE_CACHE_SECONDS=0 to profile the render path (what a page costs after a write).
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnibus.settings")
os.environ.setdefault("DEBUG", "0")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> None:
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import Client
    from django_scopes import scopes_disabled

    from consumatori.models import Tutore

    with scopes_disabled():
        tutore = (Tutore.objects.filter(utente__isnull=False, comune__slug="leporano")
                  .select_related("utente").order_by("pk").first())
    client = Client()
    client.force_login(tutore.utente)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    app = WSGIHandler()
    urls = {"home": "/leporano/", "detail": f"/leporano/consumatori/{tutore.consumatore_id}/?mese=2026-11",
            "pagamenti": "/leporano/pagamenti/", "healthz": "/healthz/"}

    def call(url: str) -> tuple[str, dict]:
        path, _, query = url.partition("?")
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
                   "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "HTTP_COOKIE": cookie, "wsgi.input": io.BytesIO(),
                   "wsgi.url_scheme": "http", "SERVER_PROTOCOL": "HTTP/1.1"}
        answer: dict = {}

        def start_response(status, headers, exc_info=None):
            answer.update(status=status, headers=dict(headers))

        b"".join(app(environ, start_response))
        return answer["status"], answer["headers"]

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    which = args[0] if args else "all"
    count = int(args[1]) if len(args) > 1 else 200
    for name, url in urls.items():
        if which not in ("all", name):
            continue
        call(url)
        status, headers = call(url)
        start = time.perf_counter()
        for _ in range(count):
            call(url)
        elapsed = (time.perf_counter() - start) / count * 1000
        print(f"== {name}: {elapsed:.2f} ms/request, {status}, cache={headers.get('X-Omnibus-Cache', '-')}")
        if "--profile" in sys.argv:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(count):
                call(url)
            profile.disable()
            stats = pstats.Stats(profile)
            stats.sort_stats("cumulative").print_stats(35)
            stats.sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main()

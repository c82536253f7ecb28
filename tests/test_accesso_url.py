"""Every URL pattern of the project, walked as a staff account without a second factor and as a family.

The URLs are built from the resolver itself (every pattern, recursively, with sample arguments per
parameter name and real ids of the fixtures), so a page added tomorrow is walked too. The only hand list
is comuni.access.EXEMPT_URL_NAMES: what a staff account without a second factor may still open.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils.regex_helper import normalize
from django_scopes import scope

from comuni.access import AREA_FAMIGLIA, EXEMPT_URL_NAMES
from comuni.models import Ruolo
from comuni.services import incarico_assign
from tests.comuni.test_secondo_fattore import totp_now
from tests.conftest import PASSWORD
from tests.factories import UserFactory, totp_activate
from tests.iscrizioni.conftest import PDF, _private_files, anno, domanda_inviata, famiglia, finestre  # noqa: F401
from tests.mensa.conftest import clock  # noqa: F401
from tests.trasporto.factories import LineaFactory

# Views a family account legitimately opens besides its own area: its account, its identity login,
# the local test identity provider. Module prefixes of the libraries' views, not paths.
ACCOUNT_MODULES = ("allauth.", "oauth2_provider.", "idp_test.", "identita.", "django.views.i18n")


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    """(regex of the whole path, URL name with its namespaces, pattern) for every pattern, recursively."""
    for item in resolver.url_patterns:
        regex = item.pattern.regex.pattern.removeprefix("^")
        if isinstance(item, URLResolver):
            inner = f"{namespace}{item.namespace}:" if item.namespace else namespace
            yield from _patterns(item, prefix + regex, inner)
        elif isinstance(item, URLPattern):
            yield prefix + regex, f"{namespace}{item.name}" if item.name else None, item


def _sample(name: str, group: str, ids: dict[str, int], view_name: str | None) -> str:
    """A value for a URL parameter: a real id where the fixtures have one, else a plausible value."""
    if "|" in group and "(" not in group:  # a choice of words (the admin's app labels)
        return group.split("|")[0]
    if name == "pk":
        for prefix, pk in ids.items():
            if view_name and view_name.startswith(prefix):
                return str(pk)
        return str(ids["default"])
    return {
        "comune": "leporano", "token": str(uuid.uuid4()), "formato": "csv", "livello": "primaria",
        "mese": "2026-11", "anno": "2026", "size": "192", "indice": "0", "provider_id": "spid",
    }.get(name, "1")


def all_urls(ids: dict[str, int]) -> list[tuple[str, str | None, object]]:
    """Each pattern of the project as a path that resolves, with the view it reaches."""
    urls = []
    for regex, view_name, pattern in _patterns(get_resolver()):
        template, params = normalize(regex)[0]
        groups = dict(re.findall(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", regex))
        path = "/" + template % {p: _sample(p, groups.get(p, ""), ids, view_name) for p in params}
        match = resolve(path)  # a pattern the walk cannot build is a failure: teach _sample its parameter
        urls.append((path, view_name, match.func))
    return urls


def _family_view(func) -> bool:
    return getattr(func, "access_area", None) == AREA_FAMIGLIA or func.__module__.startswith(ACCOUNT_MODULES)


@pytest.fixture
def mondo(clock, leporano, alice, alice_children, anno, famiglia, finestre):  # noqa: F811
    """A certificate in an application, a bus route, staff of every kind without a second factor."""
    domanda = domanda_inviata(utente=alice, anno=anno, scuola=famiglia["classe"].scuola, classe=famiglia["classe"],
                              dieta="sanitaria", dieta_descrizione="Celiachia",
                              certificato=ContentFile(PDF, name="c.pdf"))
    linea = LineaFactory(comune=leporano, nome="Linea Gandoli")
    ufficio, operatore, autista = (UserFactory(email=f"{n}@example.org") for n in ("uff", "op", "aut"))
    incarico_assign(user=ufficio, comune=leporano, ruolo=Ruolo.UFFICIO_SCUOLA)
    incarico_assign(user=operatore, comune=leporano, ruolo=Ruolo.OPERATORE_MENSA)
    with scope(comune=leporano):
        linea.accompagnatori.add(autista)
    root = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    ids = {"iscrizioni:": domanda.pk, "trasporto:bordo": linea.pk, "default": alice_children[0].pk}
    return {"domanda": domanda, "linea": linea, "staff": [ufficio, operatore, autista, root], "ids": ids}


def test_the_walk_covers_every_page_of_the_project(mondo):
    urls = all_urls(mondo["ids"])
    names = {name for _, name, _ in urls}
    # The staff areas of every app, the admin and the certificate are among the walked URLs.
    for expected in ("iscrizioni:certificato", "ufficio:cruscotto", "mensa:operatore", "mensa:conteggio_pdf",
                     "trasporto:bordo_linea", "pagamenti:riconciliazione:indice", "admin:index",
                     "admin:iscrizioni_domanda_changelist"):
        assert expected in names, expected
    assert len(urls) > 300


def _post(client, path):
    # An empty JSON body: what the machine endpoints get, and an empty form to the others.
    return client.post(path, data={}, content_type="application/json")


def _opened(client, urls, methods) -> list[str]:
    opened = []
    for path, name in urls:
        for method in methods:
            response = method(client, path)
            assert response.status_code < 500, path
            if 200 <= response.status_code < 300:
                opened.append(f"{method.__name__} {path} ({name}) {response.status_code}")
    return opened


def _get(client, path):
    return client.get(path)


def test_a_staff_account_without_a_second_factor_opens_nothing_but_the_exempt_pages(client, mondo):
    urls = [(path, name) for path, name, _ in all_urls(mondo["ids"]) if name not in EXEMPT_URL_NAMES]
    for account in mondo["staff"]:
        client.force_login(account)
        if account == mondo["staff"][0]:  # the office: every URL read and sent to (the rule has no method)
            opened = _opened(client, urls, (_get, _post))
        else:  # the other roles: every page of the project's apps read, and the admin's index
            opened = _opened(client, [(p, n) for p, n in urls if not p.startswith("/admin/") or n == "admin:index"],
                             (_get,))
        assert not opened, f"{account.email} opened without a second factor:\n" + "\n".join(opened)
        client.logout()


def test_the_certificate_of_the_issue_is_refused_then_opens_with_the_factor(client, mondo):
    clerk = mondo["staff"][0]
    url = f"/leporano/iscrizioni/{mondo['domanda'].pk}/certificato/"
    client.post("/login/leporano/", {"login": clerk.email, "password": PASSWORD})
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/"
    secret = client.get("/accounts/2fa/totp/activate/").context["form"].secret
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_now(secret)})
    assert response["Location"] == url  # back to the page asked for
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_a_family_is_refused_every_staff_page(client, alice, mondo):
    client.force_login(alice)
    urls = [(path, name) for path, name, func in all_urls(mondo["ids"])
            if name not in EXEMPT_URL_NAMES and not _family_view(func)]
    assert len(urls) > 250  # the admin, the office, the canteen, the board, reconciliation
    opened = _opened(client, urls, (_get,)) + _opened(client, [u for u in urls if not u[0].startswith("/admin/")],
                                                      (_post,))
    assert not opened, "a family opened:\n" + "\n".join(opened)


@pytest.mark.parametrize("who", ["ufficio", "operatore", "autista"])
def test_staff_with_a_second_factor_reach_their_pages(client, mondo, who):
    account = dict(zip(("ufficio", "operatore", "autista"), mondo["staff"], strict=False))[who]
    totp_activate(account)
    response = client.post("/login/leporano/", {"login": account.email, "password": PASSWORD})
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    home = client.post("/accounts/2fa/authenticate/", {"code": totp_now()})["Location"]
    pages = {
        "ufficio": ["/leporano/ufficio/", "/leporano/ufficio/morosi/", "/leporano/pagamenti/riconciliazione/",
                    "/leporano/mensa/cucina/", "/admin/", f"/leporano/iscrizioni/{mondo['domanda'].pk}/certificato/"],
        "operatore": ["/leporano/mensa/operatore/", "/leporano/mensa/cucina/", "/leporano/ufficio/correzioni/"],
        "autista": ["/leporano/trasporto/bordo/", f"/leporano/trasporto/bordo/{mondo['linea'].pk}/"],
    }[who]
    assert home == pages[0]
    for page in pages:
        assert client.get(page).status_code == 200, page


def test_the_office_never_gets_a_drafts_certificate(client, mondo, bob, alice):
    """A draft is the family's (the admin hides it too): the office's certificate download skips it."""
    from iscrizioni.models import Domanda, StatoDomanda

    domanda = mondo["domanda"]
    url = f"/leporano/iscrizioni/{domanda.pk}/certificato/"
    client.force_login(bob)
    assert client.get(url).status_code == 200
    with scope(comune=domanda.comune):
        Domanda.objects.filter(pk=domanda.pk).update(stato=StatoDomanda.BOZZA)
    assert client.get(url).status_code == 404
    client.force_login(alice)
    assert client.get(url).status_code == 200

"""Whole family pages (CITTADINO, Dettaglio, Pagamenti) served from the shared cache while nothing changed.

A page is stored under a key made of the comune, the account, the language, the htmx flag and the full
path with its query. With it are stored the version stamps of omnibus.stamps it was rendered under
(global, comune, account: a write about a child bumps the stamp of each account linked to it), the
session's authentication hash, and the time bucket (the Rome date and whether today's cut-off has
passed: the only moments at which such a page changes by itself). A hit needs all of them unchanged.

The hit is served by the tenancy middleware (`cached_response`) before the comune or the account is
loaded: one cache round trip after the session, no query. A stale account is impossible: any change to
the account row (password, active flag, name) bumps its stamp; the session's hash must still be the one
the page was rendered for. Renders and stores happen in the view (`family_page_cached`), after the login
check, with the stamps read before the page's rows.

Never cached: another account's or another comune's page (both are in the key), a page with pending
or new django messages, anything but a 200 HTML response without cookies of its own. The CSRF token is
rendered as a placeholder and replaced on every response with this request's own token.
"""

from __future__ import annotations

import datetime
import hashlib
from functools import wraps
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

from omnibus import stamps

ROME = ZoneInfo("Europe/Rome")
# Letters and dashes only: unchanged by HTML escaping, never present in a page by chance.
CSRF_PLACEHOLDER = "omnibus-csrf-placeholder-d4c1e8a7"
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
RENDER_FLAG = "_omnibus_family_page_render"
# slug -> comune id, learnt by this process on each render: a hit then needs no comune lookup. A stale
# entry (a slug given to another comune) only points at stamps that its change bumped: no hit.
_COMUNE_IDS: dict[str, int] = {}


def csrf_placeholder(request: HttpRequest) -> dict:
    """Context processor: the CSRF token as a placeholder while a cacheable family page renders."""
    return {"csrf_token": CSRF_PLACEHOLDER} if getattr(request, RENDER_FLAG, False) else {}


def time_bucket(ora_limite: datetime.time) -> str:
    """The Rome date and whether today's cut-off has passed: what "today" and the Disdici buttons hang on."""
    now = timezone.now()
    today = timezone.localtime(now, ROME).date()
    return f"{today.isoformat()}/{int(now >= datetime.datetime.combine(today, ora_limite, tzinfo=ROME))}"


def _stamp_keys(comune_id: int, user_id: str) -> list[str]:
    return [stamps.GLOBAL, stamps.comune_key(comune_id), stamps.utente_key(user_id)]


def _page_key(request: HttpRequest, comune_id: int, user_id: str) -> str:
    variant = repr((request.LANGUAGE_CODE, bool(request.headers.get("HX-Request")), request.get_full_path()))
    return f"famiglia:v1:pagina:{comune_id}:{user_id}:{hashlib.sha256(variant.encode()).hexdigest()}"


def _session_user(request: HttpRequest) -> tuple[str | None, str | None]:
    """The account id and authentication hash the session holds, without loading the account."""
    session = request.session
    user_id = session.get(SESSION_KEY)
    return (None if user_id is None else str(user_id)), session.get(HASH_SESSION_KEY)


def _pending_messages(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _with_token(request: HttpRequest, body: bytes) -> bytes:
    if _PLACEHOLDER_BYTES not in body:
        return body
    return body.replace(_PLACEHOLDER_BYTES, get_token(request).encode())


def cached_response(request: HttpRequest, view, slug: str) -> HttpResponse | None:
    """The cached page for this request, if every stamp, the session and the time bucket still match."""
    if not getattr(view, "family_page_cached", False) or not stamps.enabled() or request.method != "GET":
        return None
    comune_id = _COMUNE_IDS.get(slug)
    user_id, auth_hash = _session_user(request)
    if comune_id is None or user_id is None or _pending_messages(request):
        return None
    keys = _stamp_keys(comune_id, user_id)
    page_key = _page_key(request, comune_id, user_id)
    found = cache.get_many([*keys, page_key])
    cached = found.get(page_key)
    if (cached is None or cached["stamps"] != tuple(found.get(key) for key in keys)
            or cached["auth_hash"] != auth_hash or cached["bucket"] != time_bucket(cached["ora_limite"])):
        return None
    response = HttpResponse(_with_token(request, cached["body"]), content_type=cached["content_type"])
    response["X-Omnibus-Cache"] = "hit"
    return response


def _cacheable(request: HttpRequest, response: HttpResponse) -> bool:
    return (response.status_code == 200 and not response.streaming and not response.cookies
            and response.get("Content-Type", "").startswith("text/html") and not _pending_messages(request))


def family_page_cached(view):
    """Render a family GET page with a CSRF placeholder and store it (hits: `cached_response`)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user_id, auth_hash = _session_user(request)
        if (not stamps.enabled() or request.method != "GET" or request.comune is None or user_id is None
                or str(request.user.pk) != user_id or _pending_messages(request)):
            return view(request, *args, **kwargs)
        comune = request.comune
        keys = _stamp_keys(comune.pk, user_id)
        rendered_under = stamps.current(keys)  # before the page's rows are read
        bucket = time_bucket(comune.ora_limite_disdetta)
        setattr(request, RENDER_FLAG, True)
        try:
            response = view(request, *args, **kwargs)
        finally:
            setattr(request, RENDER_FLAG, False)
        if _cacheable(request, response):
            cache.set(_page_key(request, comune.pk, user_id), {
                "stamps": tuple(rendered_under[key] for key in keys), "auth_hash": auth_hash, "bucket": bucket,
                "ora_limite": comune.ora_limite_disdetta, "body": response.content,
                "content_type": response["Content-Type"],
            }, settings.FAMILY_PAGE_CACHE_SECONDS)
            _COMUNE_IDS[comune.slug] = comune.pk
        if not response.streaming:
            response.content = _with_token(request, response.content)
        return response

    wrapper.family_page_cached = True
    return wrapper

"""Request input PostgreSQL cannot store or compare: refused at the door with a message naming the field.

A NUL character (U+0000) in any query or form value makes PostgreSQL raise on the first query that
uses it (`text fields cannot contain NUL`), wherever a view passes the raw value on. Django's form
fields refuse it, raw `request.GET`/`request.POST` reads do not: one middleware covers both.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _

FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _field_with_nul(request: HttpRequest) -> str | None:
    if "\x00" in request.path:
        return "path"
    sources = [request.GET]
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        sources.append(request.POST)
    for source in sources:
        for key, values in source.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return key.replace("\x00", "")
    return None


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = _field_with_nul(request)
        if field is not None:
            return HttpResponseBadRequest(
                _("Il campo «%(campo)s» contiene un carattere non ammesso (NUL).") % {"campo": field[:50]},
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def raw_body(request: HttpRequest) -> bytes | None:
    """The request's raw body for a JSON or signed endpoint; None when a form Content-Type (multipart) had it
    parsed already (by this middleware or the CSRF check) and its stream is gone: the caller answers 400."""
    try:
        return request.body
    except RawPostDataException:
        return None

"""Logging filters: a refused request is one line, not a traceback.

Django logs `PermissionDenied` (and `SuspiciousOperation`, under django.security.*) with the
exception attached, so every 403 printed a whole traceback that buried real errors. The filter keeps
the record and its message ("Forbidden (Permission denied): /leporano/mensa/operatore/") and adds the
reason on the same line.
"""

from __future__ import annotations

import contextvars
import logging
import uuid

from django.core.exceptions import PermissionDenied, SuspiciousOperation

ONE_LINE = (PermissionDenied, SuspiciousOperation)


class OneLineRefusals(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, ONE_LINE):
            reason = str(exc)
            if reason and isinstance(record.args, tuple) and record.args:
                record.msg = f"{record.msg} – {type(exc).__name__}: %s"
                record.args = (*record.args, reason)
            elif reason and not record.args:
                record.msg = f"{record.msg} – {type(exc).__name__}: {reason}"
            record.exc_info = None
            record.exc_text = None
        return True


# The request being served (or the request that queued the running task: esercizio.signals carries it in
# the task's headers), on every log record as `request_id`.
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        return True


class RequestIdMiddleware:
    """A request id per request: the proxy's X-Request-ID if it sends a sane one, else a new one; echoed in
    the response and put on every log line of the request and of the tasks it queues."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if given and len(given) <= 64 and given.replace("-", "").isalnum() else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response

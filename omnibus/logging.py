"""Logging filters: a refused request is one line, not a traceback.

Django logs `PermissionDenied` (and `SuspiciousOperation`, under django.security.*) with the
exception attached, so every 403 printed a whole traceback that buried real errors. The filter keeps
the record and its message ("Forbidden (Permission denied): /leporano/mensa/operatore/") and adds the
reason on the same line.
"""

from __future__ import annotations

import logging

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

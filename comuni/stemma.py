"""The comune's stemma, read through its storage (local disk or object storage): served by the portal's own
view (pwa.views.stemma) and embedded in PDFs as a data URI, never linked to the storage itself."""

from __future__ import annotations

import base64
import functools
import mimetypes

from .models import Comune


@functools.lru_cache(maxsize=64)
def _stemma_read(name: str) -> bytes | None:
    from django.core.files.storage import default_storage

    try:
        with default_storage.open(name, "rb") as handle:
            return handle.read()
    except (OSError, ValueError):
        return None


def stemma_file(comune: Comune) -> tuple[bytes, str] | None:
    """The stemma's bytes and content type, or None (none uploaded, or the file is gone)."""
    if not comune.logo:
        return None
    content = _stemma_read(comune.logo.name)  # a new upload gets a new name: the cache never serves an old one
    if content is None:
        return None
    return content, mimetypes.guess_type(comune.logo.name)[0] or "application/octet-stream"


def stemma_data_uri(comune: Comune) -> str:
    stemma = stemma_file(comune)
    if stemma is None:
        return ""
    content, tipo = stemma
    return f"data:{tipo};base64,{base64.b64encode(content).decode()}"

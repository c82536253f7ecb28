"""Documents attached to a message's e-mail.

A message names its document as "<kind>:<reference>" (`Notifica.allegato`); the app that owns the
kind registers, in its AppConfig.ready, a function that renders it from the reference when the e-mail
is sent (inside the message's comune scope). Nothing is stored: the portal keeps the link to download it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import Notifica


@dataclass(frozen=True)
class Allegato:
    nome: str
    contenuto: bytes
    tipo: str


Renderer = Callable[[Notifica, str], Allegato | None]
_RENDERERS: dict[str, Renderer] = {}


def allegato_register(kind: str, renderer: Renderer) -> None:
    """Make `<kind>:<reference>` attachable: renderer(notifica, reference) -> Allegato, or None if gone."""
    _RENDERERS[kind] = renderer


def allegato_of(notifica: Notifica) -> Allegato | None:
    """The rendered document of the message, or None (no document, unknown kind, or no longer there)."""
    if not notifica.allegato:
        return None
    kind, _sep, reference = notifica.allegato.partition(":")
    renderer = _RENDERERS.get(kind)
    return renderer(notifica, reference) if renderer is not None else None

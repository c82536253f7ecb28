"""The sections of a consumer's "Dettaglio", contributed by the services (mensa, trasporto).

`consumatori` sits below the services and must not import them: each service registers, in its
AppConfig.ready(), a function that returns the context of its section and the template that shows it.
Sections run in `ordine`; a later section sees the context of the earlier ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

from .models import Consumatore

Contesto = Callable[[HttpRequest, Consumatore, dict], dict]


@dataclass(frozen=True)
class SezioneDettaglio:
    nome: str
    template: str
    contesto: Contesto
    ordine: int = 100


_SEZIONI: dict[str, SezioneDettaglio] = {}


def sezione_register(*, nome: str, template: str, contesto: Contesto, ordine: int = 100) -> None:
    """Add (or replace, by name) a section of the Dettaglio page."""
    _SEZIONI[nome] = SezioneDettaglio(nome, template, contesto, ordine)


def sezioni_render_context(request: HttpRequest, consumatore: Consumatore) -> dict:
    """The page context: the consumer, each section's context merged in order, and `sezioni` (templates)."""
    context: dict = {"consumatore": consumatore}
    templates = []
    for sezione in sorted(_SEZIONI.values(), key=lambda s: (s.ordine, s.nome)):
        context.update(sezione.contesto(request, consumatore, context))
        templates.append(sezione.template)
    context["sezioni"] = templates
    return context

"""Debit a month's transport fees by hand: the same code the Celery beat schedule runs."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from comuni.models import Comune
from trasporto.services import mensilita_debit, month_parse
from trasporto.solleciti import solleciti_trasporto_run


class Command(BaseCommand):
    help = "Addebita la mensilità del trasporto scolastico di un mese (idempotente)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--month", required=True, help="AAAA-MM, per esempio 2026-04")
        parser.add_argument("--comune", help="slug del comune (predefinito: tutti i comuni attivi)")
        parser.add_argument("--no-solleciti", action="store_true", help="non inviare i promemoria di debito")

    def handle(self, *args, month: str, comune: str | None, no_solleciti: bool, **options) -> None:
        try:
            month_parse(month)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from None
        comuni = Comune.objects.filter(attivo=True)
        if comune:
            comuni = comuni.filter(slug=comune)
            if not comuni.exists():
                raise CommandError(f"Comune «{comune}» non trovato.")
        for item in comuni:
            with scope(comune=item):
                esito = mensilita_debit(comune=item, mese=month)
                sent = 0 if no_solleciti else solleciti_trasporto_run(comune=item)
            note = f" ({esito.motivo_nessun_addebito})" if esito.motivo_nessun_addebito else ""
            self.stdout.write(f"{item.nome} {esito.mese}: {esito.addebitati} mensilità addebitate{note}, "
                              f"{sent} promemoria inviati")

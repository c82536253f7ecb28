"""python manage.py mensa_debit --date YYYY-MM-DD [--comune slug]: the nightly debit, by hand."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from comuni.models import Comune
from mensa.addebito import meal_debit_night


class Command(BaseCommand):
    help = "Addebita i pasti del giorno (stesso codice del job notturno); idempotente."

    def add_arguments(self, parser):
        parser.add_argument("--date", required=True, help="YYYY-MM-DD")
        parser.add_argument("--comune", help="slug del comune (tutti se assente)")
        parser.add_argument("--force", action="store_true",
                            help="riesegue anche se il giorno è già stato addebitato (resta idempotente)")

    def handle(self, *args, **options):
        try:
            giorno = datetime.date.fromisoformat(options["date"])
        except ValueError as exc:
            raise CommandError("--date deve essere nel formato YYYY-MM-DD") from exc
        comuni = Comune.objects.filter(attivo=True)
        if options["comune"]:
            comuni = comuni.filter(slug=options["comune"])
            if not comuni.exists():
                raise CommandError(f"Comune «{options['comune']}» non trovato")
        # Every comune at once, as the night's task runs them.
        for result in meal_debit_night(giorno=giorno, comuni=list(comuni.order_by("pk")), force=options["force"]):
            self.stdout.write(
                f"{result['comune']} {giorno}: {result['pasti_addebitati']} pasti addebitati, "
                f"{result['sospesi']} sospesi, {result['avvisi_debito']} avvisi di debito, "
                f"{result['avvisi_credito']} avvisi di credito, {result['riattivati']} riattivati"
            )

"""python manage.py fdr_import <file.xml | folder> [--comune slug]: import FdR flows by hand."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comuni.models import Comune
from pagamenti.riconciliazione.cartella import file_import, percorsi_xml
from pagamenti.riconciliazione.models import OrigineFlusso


class Command(BaseCommand):
    help = ("Importa flussi di rendicontazione pagoPA (XML FlussoRiversamento): un file o tutti gli .xml di una "
            "cartella. Un flusso già importato non cambia nulla; un file con errori non importa nulla.")

    def add_arguments(self, parser):
        parser.add_argument("percorso", help="file XML o cartella")
        parser.add_argument("--comune", help="slug del comune: rifiuta i flussi intestati ad altri enti")

    def handle(self, *args, **options):
        percorso = Path(options["percorso"])
        if not percorso.exists():
            raise CommandError(f"{percorso}: file o cartella inesistente")
        comune = None
        if options["comune"]:
            comune = Comune.objects.filter(slug=options["comune"]).first()
            if comune is None:
                raise CommandError(f"Comune «{options['comune']}» non trovato")
        rifiutati = 0
        for file in percorsi_xml(percorso):
            risultato = file_import(percorso=file, origine=OrigineFlusso.CARTELLA, comune=comune)
            rifiutati += bool(risultato.esito.errori)
            (self.stderr if risultato.esito.errori else self.stdout).write(risultato.riga)
        if rifiutati:
            raise CommandError(f"{rifiutati} file rifiutati: nulla importato da essi")

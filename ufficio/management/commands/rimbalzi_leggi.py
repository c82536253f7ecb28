"""python manage.py rimbalzi_leggi [--casella URL]: read the bounce mailbox now, as the beat task does."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ufficio.casella import CasellaError, casella_leggi
from ufficio.rimbalzi import Esito


class Command(BaseCommand):
    help = ("Legge la casella dei rimbalzi (BOUNCE_MAILBOX) e segna «Rimbalzata» nel registro i solleciti la cui "
            "e-mail non è stata consegnata. Un messaggio già letto non cambia nulla.")

    def add_arguments(self, parser):
        parser.add_argument("--casella", help="maildir:///percorso, imaps://utente:password@host:993/INBOX o "
                                              "imap://...; predefinita: BOUNCE_MAILBOX")

    def handle(self, *args, **options):
        indirizzo = options["casella"] or settings.BOUNCE_MAILBOX
        if not indirizzo:
            raise CommandError("Nessuna casella: imposta BOUNCE_MAILBOX o passa --casella")
        try:
            conteggio = casella_leggi(indirizzo=indirizzo)
        except CasellaError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Messaggi letti: {sum(conteggio.values())}")
        for esito in Esito:
            if conteggio[esito]:
                self.stdout.write(f"  {esito.value}: {conteggio[esito]}")

"""python manage.py anno_scolastico_nuovo [--comune leporano] [--dry-run] [--data 2027-08-31]"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope, scopes_disabled

from comuni.models import Comune
from iscrizioni.passaggio import EsitoPassaggio, anno_scolastico_nuovo


def esito_text(esito: EsitoPassaggio) -> str:
    prova = " (prova: nulla è stato modificato)" if esito.prova else ""
    lines = [f"{esito.comune}: {esito.anno_da} → {esito.anno_a}{prova}"]
    lines += [f"  {r.scuola} – {r.classe} → {r.destinazione}: {r.alunni} alunni" for r in esito.righe]
    if not esito.prova:
        lines.append(f"  classi create {esito.classi_create}, promossi {esito.promossi}, usciti {esito.usciti}, "
                     f"mensa rinnovate {esito.mensa_rinnovate} / chiuse {esito.mensa_chiuse}, "
                     f"trasporto rinnovate {esito.trasporto_rinnovate}")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Passa al nuovo anno scolastico: classi promosse, calendari, iscrizioni rinnovate o chiuse."

    def add_arguments(self, parser):
        parser.add_argument("--comune", help="slug del comune (tutti se assente)")
        parser.add_argument("--dry-run", action="store_true",
                            help="mostra le modifiche classe per classe, senza salvarle")
        parser.add_argument("--data", help="data di riferimento AAAA-MM-GG (default: oggi)")

    def handle(self, *args, **options):
        giorno = None
        if options["data"]:
            try:
                giorno = datetime.date.fromisoformat(options["data"])
            except ValueError:
                raise CommandError("--data: usare il formato AAAA-MM-GG") from None
        with scopes_disabled():
            comuni = Comune.objects.filter(attivo=True).order_by("slug")
            if options["comune"]:
                comuni = comuni.filter(slug=options["comune"])
                if not comuni.exists():
                    raise CommandError(f"Comune sconosciuto: {options['comune']}")
            comuni = list(comuni)
        for comune in comuni:  # one transaction per comune (inside the service)
            with scope(comune=comune):
                esito = anno_scolastico_nuovo(comune=comune, prova=options["dry_run"], giorno=giorno)
            self.stdout.write(esito_text(esito))

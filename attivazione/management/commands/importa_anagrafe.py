"""`importa_anagrafe <comune> <file or folder> [--applica]`: the admin page's import, scripted."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_scopes import scope

from attivazione.anagrafe.importa import anagrafe_importa
from attivazione.models import ImportazioneAnagrafe, StatoImportazione
from comuni.models import Comune

ESTENSIONI = {".xlsx", ".xlsm", ".csv", ".zip"}


class Command(BaseCommand):
    help = ("Importa scuole, classi, alunni, tutori, iscrizioni e saldi iniziali da un file XLSX o da una cartella "
            "di file CSV. Senza --applica è una prova: elenca i problemi e non scrive nulla.")

    def add_arguments(self, parser):
        parser.add_argument("comune", help="lo slug del comune, per esempio faggiano")
        parser.add_argument("percorso", help="un file XLSX/CSV/ZIP o una cartella di file CSV")
        parser.add_argument("--applica", action="store_true", help="scrive i dati (tutto o niente)")

    def handle(self, *args, comune: str, percorso: str, applica: bool, **options):
        ente = Comune.objects.filter(slug=comune).first()
        if ente is None:
            raise CommandError(f"Nessun comune con slug «{comune}».")
        path = Path(percorso)
        if path.is_dir():
            paths = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in ESTENSIONI)
        elif path.is_file():
            paths = [path]
        else:
            raise CommandError(f"{percorso}: file o cartella non trovati.")
        esito = anagrafe_importa(comune=ente, files=[(p.name, p.read_bytes()) for p in paths], applica=applica)
        for nota in esito.ignorati:
            self.stdout.write(f"Ignorato – {nota}")
        for problema in esito.problemi:
            self.stderr.write(str(problema))
        for foglio, creati, aggiornati, invariati in esito.riepilogo():
            self.stdout.write(f"{foglio}: {creati} nuovi, {aggiornati} aggiornati, {invariati} invariati")
        if esito.problemi:
            raise CommandError(f"{len(esito.problemi)} problemi: nessun dato è stato scritto.")
        if applica:
            with scope(comune=ente):
                ImportazioneAnagrafe.objects.create(
                    comune=ente, nome_file=", ".join(p.name for p in paths)[:200], stato=StatoImportazione.APPLICATA,
                    conteggi=esito.conteggi, applicato_il=timezone.now())
            self.stdout.write(self.style.SUCCESS("Importazione applicata."))
        else:
            self.stdout.write("Prova senza errori: nulla è stato scritto. Ripetere con --applica per importare.")

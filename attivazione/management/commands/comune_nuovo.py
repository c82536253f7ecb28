"""Create a comune from the command line: the admin's "Aggiungi comune" form, scripted."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError

from attivazione.comune import ComuneNuovoForm, comune_create


class Command(BaseCommand):
    help = "Crea un comune (codice fiscale verificato); ora limite e soglie prendono i valori degli avvisi."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True)
        parser.add_argument("--nome", required=True, help="Per esempio: Faggiano")
        parser.add_argument("--codice-fiscale", required=True, help="11 cifre, con la cifra di controllo")
        parser.add_argument("--provincia", required=True, help="Sigla, per esempio TA")
        parser.add_argument("--codice-ipa", default="")
        parser.add_argument("--logo", default="", help="Percorso di un'immagine PNG o JPEG dello stemma")
        for campo in ("indirizzo", "cap", "telefono", "email", "pec", "sito-web", "ufficio-email"):
            parser.add_argument(f"--{campo}", default="")

    def handle(self, *args, **options):
        data = {campo: options[campo.replace("-", "_")] for campo in (
            "slug", "nome", "codice_fiscale", "provincia", "codice_ipa", "indirizzo", "cap", "telefono", "email",
            "pec", "sito_web", "ufficio_email")}
        files = {}
        if options["logo"]:
            path = Path(options["logo"])
            if not path.is_file():
                raise CommandError(f"logo: file {path} non trovato.")
            files["logo"] = SimpleUploadedFile(path.name, path.read_bytes())
        form = ComuneNuovoForm(data=data, files=files)
        if not form.is_valid():
            for campo, errori in form.errors.items():
                for errore in errori:
                    self.stderr.write(f"{campo}: {errore}")
            raise CommandError("Comune non creato.")
        comune = comune_create(form=form)
        self.stdout.write(self.style.SUCCESS(f"Creato {comune} (/login/{comune.slug}/)."))

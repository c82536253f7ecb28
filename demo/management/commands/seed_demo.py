"""Create (or bring up to date) the demo comuni with schools, classes, families and staff."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from demo.services import DemoLogin, demo_seed


class Command(BaseCommand):
    help = ("Crea i comuni dimostrativi (Leporano, Pulsano) con scuole, classi, famiglie e personale, e Faggiano "
            "a metà dell'attivazione.")

    def handle(self, *args, **options) -> None:
        logins = demo_seed()
        self.stdout.write(self.style.SUCCESS("Dati dimostrativi pronti."))
        self.stdout.write(format_logins(logins))
        self.stdout.write("Comune di Faggiano, attivazione in corso: prova l'importazione dell'anagrafe con\n"
                          "  python manage.py importa_anagrafe faggiano demo/faggiano-anagrafe.xlsx\n"
                          "o da /admin/attivazione/importazioneanagrafe/importa/ (il file contiene errori voluti).")
        from django.apps import apps

        if apps.is_installed("idp_test"):  # SPID/CIE demo identities at the local test provider
            from idp_test.services import idp_demo_seed_report

            self.stdout.write(idp_demo_seed_report())


def format_logins(logins: list[DemoLogin]) -> str:
    headers = ("ruolo", "comune", "login", "password", "indirizzo")
    rows = [headers] + [(x.ruolo, x.comune, x.login, x.password, x.url) for x in logins]
    widths = [max(len(row[i]) for row in rows) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)

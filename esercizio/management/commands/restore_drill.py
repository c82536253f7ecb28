from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from esercizio.backup import BackupError
from esercizio.drill import restore_drill


class Command(BaseCommand):
    help = "Restore the latest backup into a temporary database, check it, and drop it."

    def add_arguments(self, parser):
        parser.add_argument("archive", nargs="?", help="a backup file (default: the latest in BACKUP_DIR)")

    def handle(self, *args, archive=None, **options):
        try:
            esiti = restore_drill(archive=Path(archive) if archive else None, out=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if not all(e.ok for e in esiti):
            raise CommandError("the restore drill failed: see the lines above")

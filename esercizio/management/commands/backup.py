from django.core.management.base import BaseCommand, CommandError

from esercizio.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up PostgreSQL (pg_dump) and the private files into BACKUP_DIR; keep the newest BACKUP_KEEP."

    def add_arguments(self, parser):
        parser.add_argument("--keep", type=int, default=None, help="backups to keep (default BACKUP_KEEP)")

    def handle(self, *args, keep=None, **options):
        try:
            path = backup_create(keep=keep)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backup written: {path} ({path.stat().st_size / 1e6:.1f} MB)")

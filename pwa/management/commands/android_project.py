"""`python manage.py android_project` (what `make android-project` runs): the Gradle project of the app."""

from __future__ import annotations

import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pwa.android import DEFAULT_OUTPUT, AndroidProjectError, android_project_generate, app_android_resolve


class Command(BaseCommand):
    help = "Generate the Android (Trusted Web Activity) project of the Omnibus app with Bubblewrap."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="", help="host the app opens (default: APP_HOST)")
        parser.add_argument("--package", default="", help="Android package (default: APP_ANDROID_PACKAGES[0])")
        parser.add_argument("--fingerprint", action="append", default=[],
                            help="SHA-256 of the signing key, repeatable or comma separated "
                                 "(default: APP_ANDROID_FINGERPRINTS)")
        parser.add_argument("--version-name", default="", help="versionName (default: app/twa/twa.json)")
        parser.add_argument("--version-code", type=int, default=None, help="versionCode (default: app/twa/twa.json)")
        parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="where the Gradle project goes")

    def handle(self, *args, **options):
        fingerprints = [part for value in options["fingerprint"] for part in value.split(",") if part.strip()]
        try:
            app = app_android_resolve(
                host=options["host"], package=options["package"], fingerprints=fingerprints,
                version_name=options["version_name"], version_code=options["version_code"],
            )
            output = android_project_generate(app=app, output=Path(options["output"]))
        except AndroidProjectError as error:
            raise CommandError(str(error)) from error
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            raise CommandError(f"Bubblewrap failed: {error}") from error
        self.stdout.write(self.style.SUCCESS(
            f"Progetto Android di {app.package} per https://{app.host}/ (versione {app.version_name}, "
            f"{app.version_code}) in {output}"
        ))
        if not app.fingerprints:
            self.stdout.write("Nessuna impronta SHA-256: assetlinks.json resterà 404 finché APP_ANDROID_FINGERPRINTS "
                              "non la elenca (docs/app.md).")

"""The table of Django's database cache "fallback" (settings.CACHES): where the rate limits and the used TOTP
codes are kept while Redis is down (omnibus.cache). Django makes it with `createcachetable`, which skips a
table already there; running it here makes it wherever the migrations run."""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations


def tabella_crea(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def tabella_elimina(apps, schema_editor):
    fallback = settings.CACHES.get("fallback", {})
    if fallback.get("BACKEND") == "django.core.cache.backends.db.DatabaseCache":
        schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(fallback['LOCATION'])}")


class Migration(migrations.Migration):

    dependencies = [
        ("esercizio", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(tabella_crea, tabella_elimina),
    ]

"""The demo shows the app's pieces: each comune's accessibility statement, IO left unconfigured."""

from django.core.management import call_command
from django_scopes import scope

from comuni.models import Comune
from notifiche.models import ServizioIO


def test_the_demo_publishes_each_comunes_accessibility_statement(db, client):
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    page = client.get("/leporano/accessibilita/").content.decode()
    assert "Il Comune di Leporano si impegna a rendere accessibile" in page
    assert "Meccanismo di feedback" in page
    assert "Il Comune di Pulsano" in client.get("/pulsano/accessibilita/").content.decode()
    with scope(comune=Comune.objects.get(slug="leporano")):
        assert not ServizioIO.objects.exists()
    manifest = client.get("/leporano/manifest.webmanifest").json()
    assert manifest["name"] == "Omnibus – Comune di Leporano"

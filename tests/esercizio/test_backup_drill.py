"""`make backup` and `make restore-drill` on PostgreSQL: the drill passes on a good dump, encrypted or not,
and fails on a dump where one movement was changed; old backups beyond BACKUP_KEEP are deleted."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_scopes import scope

from esercizio.backup import backups_list, backups_prune
from pagamenti.consolidamento import saldi_consolida
from pagamenti.pagopa.services import ricevuta_receive
from pagamenti.services import movimento_register
from tests.pagamenti.conftest import configure
from tests.pagamenti.test_ricevute import make_position, receipt
from tests.s3_locale import s3_server  # noqa: F401, F811  (the local S3 server fixture)

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL")


def _drill() -> tuple[str, bool]:
    out = io.StringIO()
    try:
        call_command("restore_drill", stdout=out)
    except CommandError:
        return out.getvalue(), False
    return out.getvalue(), True


def test_the_drill_passes_on_a_good_backup_and_fails_on_a_tampered_one(
    transactional_db, settings, tmp_path, leporano, alice, alice_children
):
    settings.BACKUP_DIR = str(tmp_path / "backups")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    configure(leporano)
    with scope(comune=leporano):
        for n, giorno in enumerate((23, 24, 25)):
            movimento_register(consumatore=alice_children[0], servizio="mensa", tipo="pasto",
                               importo=Decimal("-4.10"), data_valuta=datetime.date(2026, 11, giorno),
                               chiave=f"pasto:2026-11-{giorno}", descrizione=f"Pasto {n}")
        posizione = make_position(leporano, alice, alice_children)
        ricevuta_receive(comune=leporano, ricevuta=receipt(posizione), origine="gpd")
    saldi_consolida()

    # A good backup, encrypted: the drill decrypts, restores and every check passes.
    settings.BACKUP_PASSPHRASE = "una frase segreta di prova"
    call_command("backup", stdout=io.StringIO())
    [encrypted] = backups_list()
    assert encrypted.name.endswith(".tar.gpg")
    assert b"pagamenti_movimento" not in encrypted.read_bytes()
    output, passed = _drill()
    assert passed, output
    for line in ("OK     migrations", "OK     balances: 2 accounts", "OK     paid positions: 1 paid positions",
                 "OK     certificates", "Drill passed"):
        assert line in output
    drill_db = re.search(r"temporary database (\w+) dropped", output)[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_database WHERE datname = %s", [drill_db])
        assert cursor.fetchone()[0] == 0

    # One movement changed: the next backup fails the drill, naming the account.
    settings.BACKUP_PASSPHRASE = ""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pagamenti_movimento SET importo = -41.00 WHERE chiave = 'pasto:2026-11-23'")
        assert cursor.rowcount == 1
    call_command("backup", stdout=io.StringIO())
    assert backups_list()[-1].name.endswith(".tar")
    output, passed = _drill()
    assert not passed
    assert f"FAILED balances: 1 accounts differ, e.g. consumer {alice_children[0].pk} mensa" in output
    assert "DRILL FAILED" in output


def test_only_the_newest_backups_are_kept(tmp_path):
    for stamp in ("20261201-223000", "20261202-223000", "20261203-223000", "20261204-223000"):
        (tmp_path / f"omnibus-{stamp}.tar").write_bytes(b"x")
    (tmp_path / "omnibus-20261205-223000.tar.gpg").write_bytes(b"x")
    (tmp_path / "appunti.txt").write_text("not a backup")
    deleted = backups_prune(keep=2, directory=tmp_path)
    assert [p.name for p in deleted] == [f"omnibus-2026120{d}-223000.tar" for d in (1, 2, 3)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "appunti.txt", "omnibus-20261204-223000.tar", "omnibus-20261205-223000.tar.gpg"]


def test_the_backup_holds_the_files_of_object_storage(db, settings, tmp_path, s3_server):  # noqa: F811
    """With FILE_STORAGE=s3 the certificates live in the bucket, not on this machine's disk: the backup reads
    them through STORAGES, so the archive holds them as it does local files (and the drill finds them)."""
    import tarfile

    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    from esercizio.backup import backup_create
    from tests.s3_locale import s3_storages

    settings.BACKUP_DIR = str(tmp_path / "backups")
    s3_storages(settings, s3_server)
    certificato = storages["private"].save("certificati/2026/dieta-celiachia.pdf", ContentFile(b"%PDF-1.4 prova"))
    stemma = storages["default"].save("stemmi/leporano.png", ContentFile(b"\x89PNG prova"))
    assert not (tmp_path / "private").exists()

    archive = backup_create(passphrase="")
    with tarfile.open(archive) as tar:
        assert tar.extractfile(f"private/{certificato}").read() == b"%PDF-1.4 prova"
        assert tar.extractfile(f"media/{stemma}").read() == b"\x89PNG prova"
        assert "database.dump" in tar.getnames()

"""Backups: PostgreSQL (pg_dump's custom format, compressed) and the files, in one dated archive.

`omnibus-YYYYMMDD-HHMMSS.tar` holds `database.dump` (pg_dump -Fc: a consistent snapshot, compressed) and
the files of the storages (omnibus/storage.py, local disk or S3 alike) under `private/` (the medical
certificates) and `media/` (the stemmi). The
files are copied after the dump, so every file the dump refers to is in the archive. With
BACKUP_PASSPHRASE the archive is encrypted with gpg (symmetric AES-256, Debian's gnupg) into `.tar.gpg`.
The newest BACKUP_KEEP archives are kept. A backup is written under a temporary name and renamed when
complete: a backup that failed half-way never counts as the latest.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import posixpath
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages
from django.db import connection
from django.utils import timezone

# The files of each storage (omnibus/storage.py) and their folder in the archive: read through STORAGES, so the
# same backup holds them on local disk and on S3-compatible object storage.
STORAGE_ARCNAMES = (("private", "private"), ("media", "default"))
NAME = re.compile(r"^omnibus-(\d{8}-\d{6})\.tar(\.gpg)?$")
GPG = shutil.which("gpg") or "/usr/bin/gpg"


class BackupError(Exception):
    pass


def libpq_env(database: dict | None = None) -> dict[str, str]:
    """The environment that points pg_dump, pg_restore and psql at a database of the settings."""
    db = database or settings.DATABASES["default"]
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                     ("NAME", "PGDATABASE")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def backup_dir() -> Path:
    path = Path(settings.BACKUP_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def backups_list(directory: Path | None = None) -> list[Path]:
    """The complete backups, oldest first."""
    directory = directory or backup_dir()
    return sorted((p for p in directory.iterdir() if NAME.match(p.name)), key=lambda p: NAME.match(p.name)[1])


def backups_prune(*, keep: int, directory: Path | None = None) -> list[Path]:
    """Delete all but the newest `keep` backups; returns those deleted."""
    old = backups_list(directory)[:-keep] if keep > 0 else []
    for path in old:
        path.unlink()
    return old


def _run(args: list[str], **kwargs) -> None:
    result = subprocess.run(args, capture_output=True, **kwargs)  # noqa: S603 - fixed tools, our arguments
    if result.returncode:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.decode(errors='replace').strip()[-500:]}")


def gpg(args: list[str], passphrase: str) -> None:
    """gpg in batch mode with the passphrase on stdin and a throw-away home (no keyring is touched)."""
    with tempfile.TemporaryDirectory(prefix="omnibus-gpg-") as home:
        _run([GPG, "--homedir", home, "--batch", "--yes", "--quiet", "--pinentry-mode", "loopback",
              "--passphrase-fd", "0", *args], input=passphrase.encode())


def _storage_names(storage, path: str = ""):
    """Every file name of a storage, walking its folders (a local folder not created yet holds none)."""
    try:
        folders, files = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in files:
        yield posixpath.join(path, name) if path else name
    for folder in folders:
        yield from _storage_names(storage, posixpath.join(path, folder) if path else folder)


def _add_storage(tar: tarfile.TarFile, arcname: str, storage, *, mtime: int) -> None:
    for name in sorted(_storage_names(storage)):
        with storage.open(name, "rb") as handle:
            data = handle.read()  # certificates and stemmi: small files, bounded by the upload limits
        info = tarfile.TarInfo(f"{arcname}/{name}")
        info.size, info.mtime, info.mode = len(data), mtime, 0o600
        tar.addfile(info, io.BytesIO(data))


def backup_create(*, now: datetime.datetime | None = None, passphrase: str | None = None,
                  keep: int | None = None) -> Path:
    """Write a new backup archive and prune the old ones; returns its path."""
    if connection.vendor != "postgresql":
        raise BackupError("make backup needs PostgreSQL (DATABASE_URL); SQLite's file can simply be copied.")
    now = timezone.localtime(now)
    passphrase = settings.BACKUP_PASSPHRASE if passphrase is None else passphrase
    directory = backup_dir()
    name = f"omnibus-{now:%Y%m%d-%H%M%S}.tar" + (".gpg" if passphrase else "")
    with tempfile.TemporaryDirectory(prefix="omnibus-backup-", dir=directory) as work:
        work_path = Path(work)
        dump = work_path / "database.dump"
        _run(["pg_dump", "--format=custom", "--compress=6", "--no-owner", "--no-privileges",
              f"--file={dump}"], env=libpq_env())
        archive = work_path / "omnibus.tar"
        with tarfile.open(archive, "w") as tar:
            manifest = {"created": now.isoformat(), "database": settings.DATABASES["default"].get("NAME"),
                        "format": 1}
            info = tarfile.TarInfo("manifest.json")
            data = json.dumps(manifest).encode()
            info.size, info.mtime = len(data), int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname="database.dump")
            for arcname, alias in STORAGE_ARCNAMES:
                _add_storage(tar, arcname, storages[alias], mtime=int(now.timestamp()))
        if passphrase:
            encrypted = work_path / "omnibus.tar.gpg"
            gpg(["--symmetric", "--cipher-algo", "AES256", "--output", str(encrypted), str(archive)], passphrase)
            archive = encrypted
        final = directory / name
        os.replace(archive, final)
    os.chmod(final, 0o600)  # children's data: readable by the service account only
    backups_prune(keep=settings.BACKUP_KEEP if keep is None else keep, directory=directory)
    return final

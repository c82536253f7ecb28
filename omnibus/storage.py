"""Where files live: Django's STORAGES, on local disk by default or on S3-compatible object storage.

Two storages: "default" (the comuni's stemmi) and "private" (the medical certificates of the enrolment
applications: health data). Neither hands a URL to anyone: every file reaches a browser through one of our
views, which checks who asks. On S3 the objects are written without an ACL (the bucket's own policy: private)
and with server-side encryption; the private storage refuses to make a URL at all.

The S3 classes are in omnibus.storage_s3 (boto3 is imported only when the settings name them).
Models use `private_storage()`: a proxy that looks `STORAGES["private"]` up at each use, so the settings (and
the tests, which switch between disk and a local S3 server) choose the backend, not the import.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.deconstruct import deconstructible

PRIVATE_URL_ERROR = "Private file: served only by a permission-checked view."


class PrivateFileSystemStorage(FileSystemStorage):
    """Private files on disk under PRIVATE_MEDIA_ROOT (outside MEDIA_ROOT), read from the settings on use."""

    def __init__(self, location=None, **kwargs):
        self._private_location = location
        super().__init__(location=location, base_url=None, **kwargs)

    @property
    def base_location(self):
        return self._private_location or settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError(PRIVATE_URL_ERROR)


@deconstructible(path="omnibus.storage.ArchivioPrivato")
class ArchivioPrivato(Storage):
    """Every call goes to STORAGES["private"] as configured at that moment."""

    @staticmethod
    def backend() -> Storage:
        return storages["private"]

    def open(self, name, mode="rb"):
        return self.backend().open(name, mode)

    def save(self, name, content, max_length=None):
        return self.backend().save(name, content, max_length=max_length)

    def delete(self, name):
        return self.backend().delete(name)

    def exists(self, name):
        return self.backend().exists(name)

    def size(self, name):
        return self.backend().size(name)

    def listdir(self, path):
        return self.backend().listdir(path)

    def path(self, name):
        return self.backend().path(name)

    def generate_filename(self, filename):
        return self.backend().generate_filename(filename)

    def get_available_name(self, name, max_length=None):
        return self.backend().get_available_name(name, max_length=max_length)

    def url(self, name):
        raise ValueError(PRIVATE_URL_ERROR)


def private_storage() -> Storage:
    return ArchivioPrivato()


def file_delete(storage: Storage, name: str) -> bool:
    """Remove a stored file; True if it was there. Missing files are not an error (a retried job)."""
    if not name:
        return False
    if not storage.exists(name):
        return False
    storage.delete(name)
    return True

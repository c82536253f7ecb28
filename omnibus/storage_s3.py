"""The storages on S3-compatible object storage (django-storages), named in STORAGES when FILE_STORAGE=s3."""

from __future__ import annotations

from storages.backends.s3 import S3Storage

from .storage import PRIVATE_URL_ERROR


class MediaS3Storage(S3Storage):
    """The default storage on S3: no ACL (the bucket stays private), encrypted at rest (the settings'
    object parameters), plain unsigned URLs that the private bucket refuses: the portal serves the files
    through its own views, never by handing out a link to the bucket."""

    default_acl = None
    querystring_auth = False
    file_overwrite = False


class PrivateS3Storage(MediaS3Storage):
    """Health data on S3: no URL at all, only reads through the permission-checked views."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError(PRIVATE_URL_ERROR)

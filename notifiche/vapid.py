"""VAPID (RFC 8292): the server's key pair that push services check on every push.

Production sets WEBPUSH_VAPID_PRIVATE_KEY (a PEM, newlines as \\n) and WEBPUSH_VAPID_SUBJECT; without
a key there, push is off. Development and the tests make a key at first use, kept in var/ so the
devices' subscriptions survive a restart.
"""

from __future__ import annotations

import base64
import functools
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from py_vapid import Vapid02

TOKEN_SECONDS = 12 * 60 * 60  # RFC 8292: at most 24 hours


def _dev_key_file() -> Path:
    return Path(settings.BASE_DIR) / "var" / "vapid_private.pem"


@functools.cache
def vapid() -> Vapid02 | None:
    """The VAPID key of the installation, or None when push is not configured (production without key)."""
    pem = settings.WEBPUSH_VAPID_PRIVATE_KEY.replace("\\n", "\n").strip()
    if pem:
        return Vapid02.from_pem(pem.encode())
    if settings.PRODUCTION:
        return None
    path = _dev_key_file()
    if not path.exists():
        key = Vapid02()
        key.generate_keys()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(key.private_pem())
        os.replace(tmp, path)  # atomic: parallel test workers agree on one key
    return Vapid02.from_file(str(path))


def public_key_b64() -> str:
    """The applicationServerKey the browser subscribes with (uncompressed P-256 point, base64url)."""
    key = vapid()
    if key is None:
        return ""
    raw = key.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# Signed tokens per push-service origin, reused while valid: one ECDSA signature per origin and
# half-day, not one per device (RFC 8292 §2: a token may be reused until its "exp").
_tokens: dict[tuple[str, str, int], tuple[Vapid02, dict[str, str], float]] = {}
REUSE_MARGIN_SECONDS = 60 * 60  # a token is renewed an hour before it expires


def authorization(endpoint: str, cache: dict | None = None) -> dict[str, str]:
    """The Authorization header for a push to this endpoint (audience: the push service's origin)."""
    parts = urlsplit(endpoint)
    audience = f"{parts.scheme}://{parts.netloc}"
    if cache is not None and audience in cache:
        return cache[audience]
    signer = vapid()
    key = (audience, settings.WEBPUSH_VAPID_SUBJECT, id(signer))
    now = time.time()
    signed_by, header, expires = _tokens.get(key, (None, {}, 0.0))
    if signed_by is not signer or now >= expires - REUSE_MARGIN_SECONDS:
        expires = int(now) + TOKEN_SECONDS
        header = signer.sign({"aud": audience, "exp": expires, "sub": settings.WEBPUSH_VAPID_SUBJECT})
        _tokens[key] = (signer, header, expires)
    if cache is not None:
        cache[audience] = header
    return header

"""Checks of what a family types or uploads in an application."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The DSU (Dichiarazione Sostitutiva Unica) protocol INPS prints on the ISEE attestation:
# "INPS-ISEE-<year>-<8 digits><1 letter>-<2 digits>", e.g. INPS-ISEE-2026-12345678A-00. Typed in
# lower case or with spaces around it, it is normalised first.
DSU_PROTOCOLLO = re.compile(r"^INPS-ISEE-(?P<anno>20\d{2})-(?P<numero>\d{8})(?P<lettera>[A-Z])-(?P<progressivo>\d{2})$")
DSU_ERROR = _("Protocollo DSU: formato non valido. Si trova sull'attestazione ISEE, per esempio "
              "INPS-ISEE-2026-12345678A-00.")

CERTIFICATO_VUOTO_ERROR = _("Certificato medico: il file è vuoto.")
CERTIFICATO_GRANDE_ERROR = _("Certificato medico: il file supera i 5 MB.")
CERTIFICATO_TIPO_ERROR = _("Certificato medico: sono accettati solo file PDF, JPEG o PNG.")
CERTIFICATO_NOME_ERROR = _("Certificato medico: il nome del file non è valido.")

# Magic numbers: the type comes from the first bytes, never from the name or the browser's header.
_FIRME = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


def normalize_dsu(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_dsu(value: str) -> None:
    if not DSU_PROTOCOLLO.match(normalize_dsu(value)):
        raise ValidationError(DSU_ERROR, code="dsu")


def sniff(head: bytes) -> tuple[str, str] | None:
    """(MIME type, extension) of a PDF, PNG or JPEG from its first bytes; None for anything else."""
    for firma, mime, extension in _FIRME:
        if head.startswith(firma):
            return mime, extension
    return None


def certificato_check(upload) -> tuple[str, str]:
    """Refuse an empty, too big, oddly named or non PDF/JPEG/PNG upload; (MIME, extension) otherwise."""
    name = upload.name or ""
    if not name or "/" in name or "\\" in name or ".." in name or "\x00" in name or len(name) > 150:
        raise ValidationError(CERTIFICATO_NOME_ERROR, code="nome")
    if not upload.size:
        raise ValidationError(CERTIFICATO_VUOTO_ERROR, code="vuoto")
    if upload.size > settings.ISCRIZIONI_CERTIFICATO_MAX_BYTES:
        raise ValidationError(CERTIFICATO_GRANDE_ERROR, code="grande")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    tipo = sniff(head)
    if tipo is None:
        raise ValidationError(CERTIFICATO_TIPO_ERROR, code="tipo")
    return tipo

"""Writes to the ledger. Movements are only ever added; a correction is a new movement."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext_lazy as _

from comuni.models import User
from consumatori.models import Consumatore

from .models import Movimento, TipoMovimento
from .signals import credito_registrato

RETTIFICA_MOTIVO_ERROR = _("Una rettifica richiede il motivo.")
IMPORTO_DECIMALI_ERROR = _("L'importo deve avere al massimo due decimali.")
IMPORTO_ZERO_ERROR = _("L'importo non può essere zero.")


def movimento_register(
    *,
    consumatore: Consumatore,
    servizio: str,
    tipo: str,
    importo: Decimal,
    data_valuta: datetime.date,
    chiave: str,
    riferimento: str = "",
    descrizione: str = "",
    motivo: str = "",
    creato_da: User | None = None,
) -> tuple[Movimento, bool]:
    """Add one movement, once: a second call with the same key returns the first and False."""
    if not isinstance(importo, Decimal) or importo != importo.quantize(Decimal("0.01")):
        raise ValidationError({"importo": IMPORTO_DECIMALI_ERROR})
    if importo == 0:
        raise ValidationError({"importo": IMPORTO_ZERO_ERROR})
    if tipo == TipoMovimento.RETTIFICA and not motivo.strip():
        raise ValidationError({"motivo": RETTIFICA_MOTIVO_ERROR})
    with transaction.atomic():
        _chiave_lock(consumatore_id=consumatore.pk, servizio=servizio, chiave=chiave)
        return _register(consumatore=consumatore, servizio=servizio, tipo=tipo, importo=importo,
                         data_valuta=data_valuta, chiave=chiave, riferimento=riferimento, descrizione=descrizione,
                         motivo=motivo, creato_da=creato_da)


def _chiave_lock(*, consumatore_id: int, servizio: str, chiave: str) -> None:
    """Serialise the writers of one key until their transaction ends (PostgreSQL). The ledger's unique key
    also holds the day (pagamenti/partizioni.py): with the lock, a second writer of the key finds the first
    one's row even if it carried another day. SQLite has one writer at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                           [f"movimento:{consumatore_id}:{servizio}:{chiave}"])


def _register(*, consumatore: Consumatore, servizio: str, tipo: str, importo: Decimal,
              data_valuta: datetime.date, chiave: str, riferimento: str, descrizione: str, motivo: str,
              creato_da: User | None) -> tuple[Movimento, bool]:
    existing = Movimento.objects.filter(consumatore=consumatore, servizio=servizio, chiave=chiave).first()
    if existing is not None:
        return existing, False
    movimento = Movimento(
        comune_id=consumatore.comune_id, consumatore=consumatore, servizio=servizio, tipo=tipo,
        importo=importo, data_valuta=data_valuta, chiave=chiave, riferimento=riferimento,
        descrizione=descrizione, motivo=motivo, creato_da=creato_da,
    )
    movimento.full_clean(validate_unique=False, validate_constraints=False)
    try:
        # A savepoint, so a concurrent writer winning the race leaves the caller's transaction usable.
        with transaction.atomic():
            movimento.save()
    except IntegrityError:
        return Movimento.objects.get(consumatore=consumatore, servizio=servizio, chiave=chiave), False
    if importo > 0:
        transaction.on_commit(lambda: credito_registrato.send(sender=Movimento, movimento=movimento))
    return movimento, True

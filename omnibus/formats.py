"""Amounts written the Italian way in every message, e-mail and label: "1.234,50 €"."""

from __future__ import annotations

from decimal import Decimal


def importo_it(value: Decimal | int | float | str | None) -> str:
    """The number part: two decimals, comma, dots for thousands ("1.234,50", "-8,20")."""
    amount = Decimal(str(value if value is not None else 0)).quantize(Decimal("0.01"))
    text = f"{abs(amount):,.2f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return f"-{text}" if amount < 0 else text


def euro(value: Decimal | int | float | str | None) -> str:
    """An amount with its currency: "5,00 €"."""
    return f"{importo_it(value)} €"

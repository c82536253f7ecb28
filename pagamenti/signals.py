"""Signals other services listen to, so the ledger does not depend on them."""

from django.dispatch import Signal

# Sent after the commit that adds a credit (top-up, correction in favour) to an account; argument:
# movimento. The canteen lifts a suspension as soon as the balance is restored.
credito_registrato = Signal()

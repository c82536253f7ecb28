"""Small helpers for the canteen's hand-written SQL."""

from __future__ import annotations

from collections.abc import Sequence


def in_params(name: str, values: Sequence[object], params: dict) -> str:
    """`IN (%(name0)s, …)` over these values, each one a named parameter added to `params`."""
    for n, value in enumerate(values):
        params[f"{name}{n}"] = value
    return "IN (" + ", ".join(f"%({name}{n})s" for n in range(len(values))) + ")"

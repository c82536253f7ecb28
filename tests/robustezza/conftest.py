"""Property-based robustness: no input, however malformed, makes a 5xx or a half-written row.

Hypothesis profiles keep the suite fast: `ci` (default, also `make test`) runs a few dozen examples
per property; `HYPOTHESIS_PROFILE=deep` runs many more when hunting. Examples of one test share its
database transaction, so properties are stated as invariants over the whole run (nothing credited,
no absence outside the school year), not as "the table is empty".
"""

from __future__ import annotations

import os
import string

from hypothesis import HealthCheck, example, settings
from hypothesis import strategies as st

_COMMON = {"deadline": None, "derandomize": False, "database": None,
           "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large]}
settings.register_profile("ci", max_examples=8, **_COMMON)
settings.register_profile("deep", max_examples=300, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Values that broke or could break a parser: the ends of Python's and PostgreSQL's ranges, numbers
# Decimal accepts but a NUMERIC(12, 2) does not, NUL bytes PostgreSQL refuses, 10 KB strings.
EXTREMES = [
    "", " ", "0", "-1", "1", "9" * 30, str(2**63), "1e999999", "-1e-999999", "1E+30", "NaN", "sNaN", "Infinity",
    "-Infinity", "0.001", "25,50", "5,00 €", "１２", "2026-11-24", "24/11/2026", "2026-11",
    "9999-12", "9999-12-31", "31/12/9999", "0000-01", "0000-01-01", "0001-01-01", "0001-01", "2026-13", "2026-02-30",
    "10000-01-01", "1900-01-01", "2199-12-31", "2200-01", "\x00", "a\x00b", "x" * 10_240, "é" * 5000,
    "<script>alert(1)</script>", "🍝" * 50,
]

nasty_text = st.one_of(
    st.sampled_from(EXTREMES),
    st.text(max_size=30),
    st.text(alphabet=string.digits + "-/.,eE+", max_size=20),
    st.integers().map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y") if d.year >= 1000 else f"{d.day}/{d.month}/{d.year}"),
    st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}"),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)

# Ids and page numbers in URL paths: Django's <int:…> takes any run of digits.
path_ints = st.one_of(st.sampled_from([0, 1, 2**31, 2**63, 10**30]), st.integers(min_value=0))


def with_extremes(*names: str, **fixed):
    """Run every value of EXTREMES as an explicit example (all the named arguments at once), then the
    random ones: the known troublemakers are always tried, whatever the random draw."""

    def decorate(test):
        for value in reversed(EXTREMES):
            test = example(**dict.fromkeys(names, value), **fixed)(test)
        return test

    return decorate


def assert_answered(response) -> None:
    """2xx/3xx, or a 4xx that says something; never a 5xx."""
    assert response.status_code < 500, response.status_code
    if 400 <= response.status_code < 500:
        assert response.content.strip(), f"{response.status_code} without a message"


# "Now" is Monday 23 November 2026, 08:00 in Rome, as in the canteen tests.
from tests.mensa.conftest import clock  # noqa: E402, F401

# The route fixtures of the bus tests.
from tests.trasporto.conftest import enrol, fermate, leporano_trasporto, linea  # noqa: E402, F401

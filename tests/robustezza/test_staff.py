"""Staff forms: every add form of the admin and every changelist's query parameters, with malformed values.

The fields are read from the admin's own form, so a model or field added later is driven too.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from hypothesis import given
from hypothesis import strategies as st

from .conftest import assert_answered, nasty_text

# A few values per kind (numbers, dates, sizes): every add form of the admin is posted once per value.
STAFF_EXTREMES = ["-1", "1e999999", "9999-12-31", "0000-01-01", "x" * 10_240]


def _admin_urls(client) -> list[tuple[str, list[str]]]:
    """(add URL, field names) of every model the staff member may add, and each changelist URL."""
    pages = []
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        try:
            add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
            changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        except NoReverseMatch:
            continue
        response = client.get(add)
        fields = []
        if response.status_code == 200 and "adminform" in (response.context or {}):
            fields = list(response.context["adminform"].form.fields)
        pages.append((add if fields else "", fields, changelist))
    return pages


@pytest.fixture
def staff(client, bob, leporano):
    client.force_login(bob)
    return client, _admin_urls(client)


@pytest.mark.parametrize("value", STAFF_EXTREMES)
def test_every_admin_add_form_and_changelist(staff, value):
    client, pages = staff
    assert pages, "no admin page found"
    for add, fields, changelist in pages:
        if add:
            assert_answered(client.post(add, dict.fromkeys(fields, value)))
        assert_answered(client.get(changelist, {"q": value, "p": value, "o": value}))


@given(value=nasty_text, page=st.integers().map(str))
def test_admin_changelists_random(staff, value, page):
    client, pages = staff
    for _add, _fields, changelist in pages[:: max(1, len(pages) // 8)]:
        assert_answered(client.get(changelist, {"q": value, "p": page}))

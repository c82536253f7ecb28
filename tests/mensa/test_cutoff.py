"""The 09:00 cut-off in Europe/Rome time, on ordinary days and when daylight saving starts and ends."""

from __future__ import annotations

import datetime

import pytest

from mensa.cutoff import cutoff_datetime, cutoff_passed

UTC = datetime.UTC


def utc(y, m, d, h, mi=0, s=0):
    return datetime.datetime(y, m, d, h, mi, s, tzinfo=UTC)


def test_it_locks_an_ordinary_winter_day_at_nine_rome_time(leporano):
    day = datetime.date(2026, 11, 23)
    assert not cutoff_passed(comune=leporano, giorno=day, now=utc(2026, 11, 23, 7, 59, 59))
    assert cutoff_passed(comune=leporano, giorno=day, now=utc(2026, 11, 23, 8, 0, 0))


def test_on_the_day_summer_time_starts_nine_is_seven_utc(leporano):
    # 29 March 2026: clocks go from 02:00 to 03:00; 09:00 CEST = 07:00 UTC.
    day = datetime.date(2026, 3, 29)
    assert cutoff_datetime(comune=leporano, giorno=day) == utc(2026, 3, 29, 7)
    assert not cutoff_passed(comune=leporano, giorno=day, now=utc(2026, 3, 29, 6, 59, 59))
    assert cutoff_passed(comune=leporano, giorno=day, now=utc(2026, 3, 29, 7, 0, 0))


def test_on_the_day_summer_time_ends_nine_is_eight_utc(leporano):
    # 25 October 2026: clocks go from 03:00 back to 02:00; 09:00 CET = 08:00 UTC.
    day = datetime.date(2026, 10, 25)
    assert cutoff_datetime(comune=leporano, giorno=day) == utc(2026, 10, 25, 8)
    assert not cutoff_passed(comune=leporano, giorno=day, now=utc(2026, 10, 25, 7, 30))
    assert cutoff_passed(comune=leporano, giorno=day, now=utc(2026, 10, 25, 8, 0))


@pytest.mark.parametrize("day", [datetime.date(2026, 3, 29), datetime.date(2026, 10, 25)])
def test_a_comune_with_another_hour_uses_its_own(leporano, day):
    leporano.ora_limite_disdetta = datetime.time(10, 30)
    offset = 2 if day.month == 3 else 1
    limit = datetime.datetime.combine(day, datetime.time(10 - offset, 30), tzinfo=UTC)
    assert not cutoff_passed(comune=leporano, giorno=day, now=limit - datetime.timedelta(seconds=1))
    assert cutoff_passed(comune=leporano, giorno=day, now=limit)


def test_past_days_are_locked_and_future_days_open(leporano):
    now = utc(2026, 11, 23, 12)
    assert cutoff_passed(comune=leporano, giorno=datetime.date(2026, 11, 22), now=now)
    assert not cutoff_passed(comune=leporano, giorno=datetime.date(2026, 11, 24), now=now)

"""Service days: weekday pattern, school-year bounds, national holidays, patron saint, closures."""

from __future__ import annotations

import datetime

from django_scopes import scope

from mensa.calendario import calendari_load, festivo_nazionale, giorno_di_servizio

from .factories import CalendarioScuolaFactory, ChiusuraFactory


def _service(comune, classe, day):
    with scope(comune=comune):
        cal = calendari_load(comune=comune, dal=day, al=day, scuola_id=classe.scuola_id)
        cs = cal.calendario_scuola(scuola_id=classe.scuola_id, anno_scolastico_id=classe.anno_scolastico_id)
        return giorno_di_servizio(day, cs, cal.chiusure, classe.pk)


def test_national_holidays_come_from_the_library():
    assert festivo_nazionale(datetime.date(2026, 12, 8))  # Immacolata
    assert festivo_nazionale(datetime.date(2027, 3, 29))  # Pasquetta 2027
    assert festivo_nazionale(datetime.date(2027, 4, 25))
    assert not festivo_nazionale(datetime.date(2026, 11, 23))


def test_weekdays_holidays_and_year_bounds(leporano, alice_children, mensa_alice):
    classe = alice_children[0].classe
    assert _service(leporano, classe, datetime.date(2026, 11, 23))  # Monday
    assert not _service(leporano, classe, datetime.date(2026, 11, 28))  # Saturday
    assert not _service(leporano, classe, datetime.date(2026, 12, 8))  # Immacolata
    assert not _service(leporano, classe, datetime.date(2026, 9, 18))  # before the canteen starts
    assert not _service(leporano, classe, datetime.date(2027, 6, 7))  # after it ends


def test_a_school_with_fewer_days(leporano, alice_children, mensa_alice):
    classe = alice_children[0].classe
    with scope(comune=leporano):
        cs = classe.scuola.calendari_mensa.get()
        cs.mercoledi = False
        cs.save()
    assert not _service(leporano, classe, datetime.date(2026, 11, 25))
    assert _service(leporano, classe, datetime.date(2026, 11, 26))


def test_the_patron_saint_day_has_no_service(leporano, alice_children, mensa_alice):
    classe = alice_children[0].classe
    with scope(comune=leporano):
        cal = classe.scuola.calendari_mensa.get().calendario
        cal.festa_patronale = datetime.date(2026, 11, 25)
        cal.save()
    assert not _service(leporano, classe, datetime.date(2026, 11, 25))
    assert _service(leporano, classe, datetime.date(2026, 11, 24))


def test_closures_of_the_comune_a_school_or_one_class(leporano, alice_children, mensa_alice):
    classe = alice_children[0].classe
    with scope(comune=leporano):
        other = CalendarioScuolaFactory(comune=leporano, calendario=classe.scuola.calendari_mensa.get().calendario)
    ChiusuraFactory(comune=leporano, data_inizio=datetime.date(2026, 12, 23), data_fine=datetime.date(2027, 1, 6),
                    motivo="Vacanze di Natale")
    ChiusuraFactory(comune=leporano, data_inizio=datetime.date(2026, 11, 30), data_fine=datetime.date(2026, 11, 30),
                    motivo="Sciopero", scuola=classe.scuola)
    ChiusuraFactory(comune=leporano, data_inizio=datetime.date(2026, 12, 1), data_fine=datetime.date(2026, 12, 1),
                    motivo="Gita", scuola=classe.scuola, classe=classe)
    assert not _service(leporano, classe, datetime.date(2027, 1, 4))
    assert not _service(leporano, classe, datetime.date(2026, 11, 30))
    assert not _service(leporano, classe, datetime.date(2026, 12, 1))
    with scope(comune=leporano):
        cs = calendari_load(comune=leporano, dal=datetime.date(2026, 11, 30), al=datetime.date(2026, 11, 30))
        other_cal = cs.calendario_scuola(scuola_id=other.scuola_id, anno_scolastico_id=classe.anno_scolastico_id)
    assert giorno_di_servizio(datetime.date(2026, 11, 30), other_cal, cs.chiusure, None)

"""The school calendar: which days a school (and a class) has canteen service.

One rule, `giorno_di_servizio`, answers for a day; the month view, the operator page, the kitchen
count and the nightly debit all use it (the latter two turned into a filter on classes for one day).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import lru_cache

import holidays
from django.db.models import Q

from comuni.models import Comune
from consumatori.models import AnnoScolastico
from omnibus import stamps

from .models import WEEKDAY_FIELDS, CalendarioScuola, Chiusura


@lru_cache(maxsize=64)
def _festivi_anno(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("IT", years=year).keys())


def festivo_nazionale(giorno: datetime.date) -> bool:
    """Italian national holidays, from the maintained `holidays` library (Easter Monday included)."""
    return giorno in _festivi_anno(giorno.year)


@dataclass
class Calendari:
    """The calendars and closures of one comune over a period: loaded in two queries."""

    scuole: list[CalendarioScuola] = field(default_factory=list)
    chiusure: list[Chiusura] = field(default_factory=list)

    def calendario_scuola(self, *, scuola_id: int, anno_scolastico_id: int) -> CalendarioScuola | None:
        for cal in self.scuole:
            if cal.scuola_id == scuola_id and cal.calendario.anno_scolastico_id == anno_scolastico_id:
                return cal
        return None


def calendari_load(*, comune: Comune, dal: datetime.date, al: datetime.date, scuola_id: int | None = None) -> Calendari:
    """School calendars overlapping [dal, al] and the closures in it (two queries)."""
    cal_qs = CalendarioScuola.objects.filter(comune=comune, data_inizio__lte=al, data_fine__gte=dal).select_related(
        "calendario", "scuola"
    )
    chiusure_qs = Chiusura.objects.filter(comune=comune, data_inizio__lte=al, data_fine__gte=dal)
    if scuola_id is not None:
        cal_qs = cal_qs.filter(scuola_id=scuola_id)
        chiusure_qs = chiusure_qs.filter(Q(scuola__isnull=True) | Q(scuola_id=scuola_id))
    return Calendari(scuole=list(cal_qs), chiusure=list(chiusure_qs))


# One school year's calendars of a school and the closures that may touch it, per process, with the token of the
# comune's version stamp they were read under (omnibus.stamps: every write to a calendar or a closure bumps it,
# at once and again at commit). A family's absence needs them on every tap of the 09:00 rush.
_CALENDARI_ANNO: dict[tuple[int, int, int], tuple[str, Calendari]] = {}


def calendari_anno_scuola(*, comune: Comune, scuola_id: int, anno_scolastico: AnnoScolastico) -> Calendari:
    """calendari_load over one school year for one school: from this process's memory while the comune's
    version stamp is unchanged (one cache read instead of two queries), else loaded again."""
    def load() -> Calendari:
        return calendari_load(comune=comune, dal=anno_scolastico.data_inizio, al=anno_scolastico.data_fine,
                              scuola_id=scuola_id)

    if not stamps.enabled():
        return load()
    key = stamps.comune_key(comune.pk)
    # Read before the rows: a write after this read bumps the stamp again, so the rows cached now are never
    # served under a later stamp (the same rule as the family pages' cache).
    token = stamps.current([key])[key]
    memo_key = (comune.pk, scuola_id, anno_scolastico.pk)
    cached = _CALENDARI_ANNO.get(memo_key)
    if cached is not None and cached[0] == token:
        return cached[1]
    calendari = load()
    _CALENDARI_ANNO[memo_key] = (token, calendari)
    return calendari


def scuola_aperta(giorno: datetime.date, cal: CalendarioScuola | None, chiusure: list[Chiusura]) -> bool:
    """Does the school of this calendar serve meals on this day (class-level closures aside)?"""
    if cal is None or not cal.data_inizio <= giorno <= cal.data_fine:
        return False
    weekday_field = WEEKDAY_FIELDS[giorno.weekday()]
    if weekday_field is None or not getattr(cal, weekday_field):
        return False
    if festivo_nazionale(giorno) or cal.calendario.festa_patronale == giorno:
        return False
    return not any(
        c.data_inizio <= giorno <= c.data_fine and c.classe_id is None and c.scuola_id in (None, cal.scuola_id)
        for c in chiusure
    )


def giorno_di_servizio(
    giorno: datetime.date, cal: CalendarioScuola | None, chiusure: list[Chiusura], classe_id: int | None
) -> bool:
    """THE rule: the class has canteen service on this day."""
    if not scuola_aperta(giorno, cal, chiusure):
        return False
    return not any(
        c.classe_id is not None and c.classe_id == classe_id and c.data_inizio <= giorno <= c.data_fine
        for c in chiusure
    )


def classi_con_servizio_q(calendari: Calendari, giorno: datetime.date, prefix: str = "classe__") -> Q | None:
    """A filter on consumers (through `prefix`) whose class has service that day; None if nobody has.

    The same rule as `giorno_di_servizio`, applied to every school of the comune at once.
    """
    q = Q()
    any_open = False
    for cal in calendari.scuole:
        if scuola_aperta(giorno, cal, calendari.chiusure):
            any_open = True
            q |= Q(**{f"{prefix}scuola_id": cal.scuola_id,
                      f"{prefix}anno_scolastico_id": cal.calendario.anno_scolastico_id})
    if not any_open:
        return None
    classi_chiuse = [
        c.classe_id for c in calendari.chiusure if c.classe_id is not None and c.data_inizio <= giorno <= c.data_fine
    ]
    if classi_chiuse:
        q &= ~Q(**{f"{prefix}id__in": classi_chiuse})
    return q


def giorni_di_servizio_classe(*, comune: Comune, classe, dal: datetime.date, al: datetime.date) -> list[datetime.date]:
    """The days of [dal, al] (inside the class's school year) with service for this class: `giorno_di_servizio`
    over the school's calendar of that year (calendari_anno_scuola: from memory while nothing changed)."""
    calendari = calendari_anno_scuola(comune=comune, scuola_id=classe.scuola_id,
                                      anno_scolastico=classe.anno_scolastico)
    cal = calendari.calendario_scuola(scuola_id=classe.scuola_id, anno_scolastico_id=classe.anno_scolastico_id)
    days = [dal + datetime.timedelta(n) for n in range((al - dal).days + 1)]
    return [d for d in days if giorno_di_servizio(d, cal, calendari.chiusure, classe.pk)]


def livelli_con_servizio(calendari: Calendari, giorno: datetime.date) -> set[str]:
    """The school levels (Scuola.tipo) with service on this day somewhere in the comune: a level has it when at
    least one of its schools is open (`scuola_aperta`). Closures of single classes do not close a level."""
    return {cal.scuola.tipo for cal in calendari.scuole if scuola_aperta(giorno, cal, calendari.chiusure)}

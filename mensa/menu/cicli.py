"""Menu periods: no gap and no overlap per comune and school level inside a school year."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from consumatori.models import AnnoScolastico

from ..cutoff import data_it
from .models import PERIODO_ERROR, PeriodoMenu

FUORI_ANNO_ERROR = _("Il periodo deve cadere dentro un anno scolastico del comune (dal %(dal)s al %(al)s).")
SOVRAPPOSTO_ERROR = _(
    "Il periodo si sovrappone a «%(altro)s»: per lo stesso ordine di scuola un solo menù per giorno."
)
BUCO_ERROR = _(
    "Tra «%(altro)s» e questo periodo restano giorni senza menù (dal %(dal)s al %(al)s): "
    "i periodi di un anno scolastico devono essere contigui."
)
SETTIMANA_INIZIALE_ERROR = _("Il ciclo ha %(n)s settimane: la settimana iniziale non può essere %(settimana)s.")


def _weekdays_between(after: datetime.date, before: datetime.date) -> list[datetime.date]:
    """Monday–Friday days strictly between two dates (a weekend between two periods is no gap)."""
    days = [after + datetime.timedelta(n) for n in range(1, (before - after).days)]
    return [d for d in days if d.weekday() < 5]


def periodo_validate(*, periodo: PeriodoMenu) -> None:
    """Raise a ValidationError naming the field when the period breaks the comune's menu calendar."""
    dal, al = periodo.data_inizio, periodo.data_fine
    if not dal or not al:
        return
    if al < dal:
        raise ValidationError({"data_fine": PERIODO_ERROR})
    ciclo = periodo.ciclo
    if periodo.settimana_iniziale and periodo.settimana_iniziale > ciclo.settimane:
        raise ValidationError({"settimana_iniziale": ValidationError(
            SETTIMANA_INIZIALE_ERROR, code="settimana",
            params={"n": ciclo.settimane, "settimana": periodo.settimana_iniziale},
        )})
    anno = AnnoScolastico.objects.filter(comune_id=ciclo.comune_id, data_inizio__lte=dal, data_fine__gte=al).first()
    if anno is None:
        raise ValidationError({"data_inizio": ValidationError(
            FUORI_ANNO_ERROR, code="fuori_anno", params={"dal": data_it(dal), "al": data_it(al)}
        )})
    altri = list(
        PeriodoMenu.objects.filter(comune_id=ciclo.comune_id, livello=ciclo.livello)
        .filter(data_fine__gte=anno.data_inizio, data_inizio__lte=anno.data_fine)
        .exclude(pk=periodo.pk).select_related("ciclo")
    )
    for altro in altri:
        if altro.data_inizio <= al and altro.data_fine >= dal:
            raise ValidationError({"data_inizio": ValidationError(
                SOVRAPPOSTO_ERROR, code="sovrapposto", params={"altro": altro}
            )})
    prima = max((a for a in altri if a.data_fine < dal), key=lambda a: a.data_fine, default=None)
    dopo = min((a for a in altri if a.data_inizio > al), key=lambda a: a.data_inizio, default=None)
    for altro, start, end, field in ((prima, prima and prima.data_fine, dal, "data_inizio"),
                                     (dopo, al, dopo and dopo.data_inizio, "data_fine")):
        if altro is None:
            continue
        buco = _weekdays_between(start, end)
        if buco:
            raise ValidationError({field: ValidationError(
                BUCO_ERROR, code="buco",
                params={"altro": altro, "dal": data_it(buco[0]), "al": data_it(buco[-1])},
            )})


def settimana_del_ciclo(*, periodo: PeriodoMenu, settimane: int, giorno: datetime.date) -> int:
    """Which week of the rotation `giorno` falls in: weeks start on Monday from the period's first week."""
    primo_lunedi = periodo.data_inizio - datetime.timedelta(periodo.data_inizio.weekday())
    lunedi = giorno - datetime.timedelta(giorno.weekday())
    return ((lunedi - primo_lunedi).days // 7 + periodo.settimana_iniziale - 1) % settimane + 1

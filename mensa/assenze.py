"""Writes of the day's booking: a family's absences and the operators' attendance records."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuni.models import User
from consumatori.models import Consumatore
from omnibus import stamps

from .calendario import giorni_di_servizio_classe
from .cutoff import ROME, cutoff_check
from .cutoff import data_it as _it
from .models import Assenza, IscrizioneMensa, Presenza

PERIODO_ERROR = _("La data di fine precede la data di inizio.")
NON_SERVICE_DAY_ERROR = _("Il %(giorno)s il servizio non è disponibile: non c'è nessun pasto da disdire.")
OUTSIDE_YEAR_ERROR = _("Il %(giorno)s è fuori dall'anno scolastico.")
PERIOD_TOO_LONG_ERROR = _("Il periodo non può superare i 366 giorni.")
NOT_ENROLLED_ERROR = _("Il consumatore non è iscritto alla mensa in quel periodo.")
NO_ABSENCE_ERROR = _("Per il %(giorno)s non c'è nessuna assenza da ritirare.")


def _service_days(consumatore: Consumatore, dal: datetime.date, al: datetime.date) -> list[datetime.date]:
    """The days of [dal, al] (inside the class's school year) with service for the consumer's class."""
    classe = consumatore.classe
    if classe is None:
        return []
    return giorni_di_servizio_classe(comune=consumatore.comune, classe=classe, dal=dal, al=al)


def _insert_enrolled(consumatore: Consumatore, days: list[datetime.date], registrata_da: User,
                     now: datetime.datetime) -> list[Assenza]:
    """INSERT the absences of the days on which the consumer is enrolled, in one statement; a day already
    cancelled (or cancelled concurrently) is skipped by the partial unique index (consumatore, giorno) of the
    active absences. Returns the rows stored."""
    ops = connection.ops
    day_rows = " UNION ALL ".join(["SELECT %s AS giorno"] * len(days))
    sql = f"""
        INSERT INTO {Assenza._meta.db_table} (comune_id, consumatore_id, giorno, registrata_il, registrata_da_id)
        SELECT %s, %s, d.giorno, %s, %s FROM ({day_rows}) d
        WHERE EXISTS (
            SELECT 1 FROM {IscrizioneMensa._meta.db_table} i
            WHERE i.comune_id = %s AND i.consumatore_id = %s AND i.data_inizio <= d.giorno
              AND (i.data_fine IS NULL OR i.data_fine >= d.giorno))
        ON CONFLICT DO NOTHING RETURNING id, giorno"""  # noqa: S608 - table names from the models
    comune_id = consumatore.comune_id
    params = [comune_id, consumatore.pk, ops.adapt_datetimefield_value(now), registrata_da.pk,
              *(ops.adapt_datefield_value(d) for d in days), comune_id, consumatore.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        stored = cursor.fetchall()
    nuove = []
    for pk, giorno in sorted(stored, key=lambda row: str(row[1])):
        if not isinstance(giorno, datetime.date):  # SQLite answers the ISO text
            giorno = datetime.date.fromisoformat(giorno)
        assenza = Assenza(pk=pk, comune=consumatore.comune, consumatore=consumatore, giorno=giorno,
                          registrata_il=now, registrata_da=registrata_da)
        assenza._state.adding = False
        nuove.append(assenza)
    return nuove


@transaction.atomic
def assenza_create(
    *,
    consumatore: Consumatore,
    dal: datetime.date,
    al: datetime.date | None = None,
    registrata_da: User,
    now: datetime.datetime | None = None,
) -> list[Assenza]:
    """Cancel the meals of a day or a period (service days only); all or nothing, then confirm by e-mail."""
    now = now or timezone.now()
    al = al or dal
    comune = consumatore.comune
    if al < dal:
        raise ValidationError({"al": PERIODO_ERROR})
    if (al - dal).days > 366:
        raise ValidationError({"al": PERIOD_TOO_LONG_ERROR})
    anno = consumatore.classe.anno_scolastico if consumatore.classe_id else None
    for day in (dal, al):
        if anno is None or not anno.data_inizio <= day <= anno.data_fine:
            raise ValidationError(OUTSIDE_YEAR_ERROR, code="outside_year", params={"giorno": _it(day)})
    cutoff_check(comune, dal, now)
    days = _service_days(consumatore, dal, al)
    if not days:
        raise ValidationError(NON_SERVICE_DAY_ERROR, code="no_service", params={"giorno": _it(dal)})
    nuove = _insert_enrolled(consumatore, days, registrata_da, now)
    if not nuove:
        # Nothing stored: every enrolled day was already cancelled, or the consumer is enrolled on none.
        iscrizioni = list(
            IscrizioneMensa.objects.filter(consumatore=consumatore, data_inizio__lte=al)
            .filter(Q(data_fine__isnull=True) | Q(data_fine__gte=dal))
            .values_list("data_inizio", "data_fine")
        )
        if not any(i <= d and (f is None or d <= f) for d in days for i, f in iscrizioni):
            raise ValidationError(NOT_ENROLLED_ERROR, code="not_enrolled")
        return []
    stamps.consumatori_changed([consumatore.pk])  # raw SQL: no model signal
    _confirm(consumatore, registrata_da, now, [a.giorno for a in nuove], withdrawn=False)
    return nuove


@transaction.atomic
def assenza_withdraw(
    *, consumatore: Consumatore, giorno: datetime.date, annullata_da: User, now: datetime.datetime | None = None
) -> Assenza:
    """Withdraw a cancellation (the meal is booked again), under the same cut-off rule."""
    now = now or timezone.now()
    cutoff_check(consumatore.comune, giorno, now)
    assenza = (
        Assenza.objects.select_for_update()
        .filter(consumatore=consumatore, giorno=giorno, annullata_il__isnull=True)
        .first()
    )
    if assenza is None:
        raise ValidationError(NO_ABSENCE_ERROR, code="no_absence", params={"giorno": _it(giorno)})
    assenza.annullata_il = now
    assenza.annullata_da = annullata_da
    assenza.save(update_fields=["annullata_il", "annullata_da"])
    _confirm(consumatore, annullata_da, now, [giorno], withdrawn=True)
    return assenza


def _confirm(consumatore: Consumatore, user: User, now: datetime.datetime, days: list[datetime.date],
             withdrawn: bool) -> None:
    from notifiche.services import notifica_send

    when = timezone.localtime(now, ROME).strftime("%d/%m/%Y alle %H:%M:%S")
    elenco = ", ".join(_it(d) for d in days)
    who = user.get_full_name() or user.email
    if withdrawn:
        titolo = f"Pasto di nuovo prenotato per {consumatore.nome_completo}: {elenco}"
        testo = (f"L'assenza di {consumatore.nome_completo} per il giorno {elenco} è stata ritirata: "
                 f"il pasto è di nuovo prenotato.\nRegistrato il {when} da {who}.")
    else:
        titolo = f"Assenza registrata per {consumatore.nome_completo}: {elenco}"
        testo = (f"Abbiamo registrato l'assenza dalla mensa di {consumatore.nome_completo} "
                 f"per: {elenco}.\nNessun pasto sarà preparato né addebitato in quei giorni.\n"
                 f"Registrata il {when} da {who}.")
    notifica_send(comune=consumatore.comune, user=user, consumatore=consumatore, titolo=titolo, testo=testo)


def presenza_set(*, consumatore: Consumatore, giorno: datetime.date, presente: bool, registrata_da: User) -> Presenza:
    """An operator's tap: the consumer is present (or absent) today, whatever the booking said."""
    presenza, _ = Presenza.objects.update_or_create(
        consumatore=consumatore, giorno=giorno,
        defaults={"comune": consumatore.comune, "presente": presente, "registrata_da": registrata_da},
    )
    return presenza

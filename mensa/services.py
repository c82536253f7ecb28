"""Writes of the canteen: absences, operator overrides, the nightly debit, suspensions and warnings."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Case,
    DateField,
    DateTimeField,
    DecimalField,
    Q,
    TextField,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuni.models import Comune, User
from consumatori.models import Consumatore
from pagamenti.models import Movimento, Servizio, TipoMovimento

from .calendario import calendari_load, classi_con_servizio_q, giorno_di_servizio
from .models import Assenza, IscrizioneMensa, Presenza, PrezzoTariffa, Sospensione

ROME = ZoneInfo("Europe/Rome")

CUTOFF_PASSED_ERROR = _(
    "Non è più possibile modificare il pasto del %(giorno)s: l'ora limite (%(ora)s) è passata. Nulla è stato salvato."
)
PERIODO_ERROR = _("La data di fine precede la data di inizio.")
NON_SERVICE_DAY_ERROR = _("Il %(giorno)s il servizio non è disponibile: non c'è nessun pasto da disdire.")
OUTSIDE_YEAR_ERROR = _("Il %(giorno)s è fuori dall'anno scolastico.")
PERIOD_TOO_LONG_ERROR = _("Il periodo non può superare i 366 giorni.")
NOT_ENROLLED_ERROR = _("Il consumatore non è iscritto alla mensa in quel periodo.")
NO_ABSENCE_ERROR = _("Per il %(giorno)s non c'è nessuna assenza da ritirare.")
MOTIVO_REVOCA_ERROR = _("Per revocare una sospensione serve il motivo.")


def _it(giorno: datetime.date) -> str:
    return giorno.strftime("%d/%m/%Y")


def cutoff_datetime(*, comune: Comune, giorno: datetime.date) -> datetime.datetime:
    """The moment (aware) after which the day's booking is locked: the comune's hour in Europe/Rome."""
    return datetime.datetime.combine(giorno, comune.ora_limite_disdetta, tzinfo=ROME)


def cutoff_passed(*, comune: Comune, giorno: datetime.date, now: datetime.datetime | None = None) -> bool:
    """THE cut-off rule: families may change a day only before the comune's hour of that day (Rome time)."""
    now = now or timezone.now()
    return now >= cutoff_datetime(comune=comune, giorno=giorno)


def _check_cutoff(comune: Comune, giorno: datetime.date, now: datetime.datetime) -> None:
    if cutoff_passed(comune=comune, giorno=giorno, now=now):
        raise ValidationError(
            CUTOFF_PASSED_ERROR,
            code="cutoff",
            params={"giorno": _it(giorno), "ora": comune.ora_limite_disdetta.strftime("%H:%M")},
        )


def _service_days(consumatore: Consumatore, dal: datetime.date, al: datetime.date) -> list[datetime.date]:
    classe = consumatore.classe
    if classe is None:
        return []
    calendari = calendari_load(comune=consumatore.comune, dal=dal, al=al, scuola_id=classe.scuola_id)
    cal = calendari.calendario_scuola(scuola_id=classe.scuola_id, anno_scolastico_id=classe.anno_scolastico_id)
    days = [dal + datetime.timedelta(n) for n in range((al - dal).days + 1)]
    return [d for d in days if giorno_di_servizio(d, cal, calendari.chiusure, classe.pk)]


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
    _check_cutoff(comune, dal, now)
    days = _service_days(consumatore, dal, al)
    if not days:
        raise ValidationError(NON_SERVICE_DAY_ERROR, code="no_service", params={"giorno": _it(dal)})
    iscrizioni = list(
        IscrizioneMensa.objects.filter(consumatore=consumatore, data_inizio__lte=al)
        .filter(Q(data_fine__isnull=True) | Q(data_fine__gte=dal))
        .values_list("data_inizio", "data_fine")
    )
    days = [d for d in days if any(i <= d and (f is None or d <= f) for i, f in iscrizioni)]
    if not days:
        raise ValidationError(NOT_ENROLLED_ERROR, code="not_enrolled")
    already = set(
        Assenza.objects.filter(consumatore=consumatore, giorno__in=days, annullata_il__isnull=True).values_list(
            "giorno", flat=True
        )
    )
    nuove = [
        Assenza(comune=comune, consumatore=consumatore, giorno=d, registrata_il=now, registrata_da=registrata_da)
        for d in days
        if d not in already
    ]
    Assenza.objects.bulk_create(nuove, ignore_conflicts=True)
    if nuove:
        _confirm(consumatore, registrata_da, now, [a.giorno for a in nuove], withdrawn=False)
    return nuove


@transaction.atomic
def assenza_withdraw(
    *, consumatore: Consumatore, giorno: datetime.date, annullata_da: User, now: datetime.datetime | None = None
) -> Assenza:
    """Withdraw a cancellation (the meal is booked again), under the same cut-off rule."""
    now = now or timezone.now()
    _check_cutoff(consumatore.comune, giorno, now)
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


def presenti_queryset(*, comune: Comune, giorno: datetime.date, calendari=None):
    """Enrolment rows of the consumers who eat on `giorno`: the booking as it stood at the cut-off
    (enrolled, class with service, not suspended, no absence recorded before the cut-off), corrected by
    the operators' records. None when no school of the comune has service that day."""
    calendari = calendari or calendari_load(comune=comune, dal=giorno, al=giorno)
    servizio_q = classi_con_servizio_q(calendari, giorno, prefix="consumatore__classe__")
    cutoff = cutoff_datetime(comune=comune, giorno=giorno)
    # Uncorrelated "consumer in (…)" sets: PostgreSQL hashes each once instead of probing per consumer.
    sospesi = Sospensione.objects.filter(comune=comune, dal__lte=giorno).filter(
        Q(al__isnull=True) | Q(al__gte=giorno)
    ).values("consumatore_id")
    assenti = Assenza.objects.filter(comune=comune, giorno=giorno, registrata_il__lte=cutoff).filter(
        Q(annullata_il__isnull=True) | Q(annullata_il__gt=cutoff)
    ).values("consumatore_id")
    override = Presenza.objects.filter(comune=comune, giorno=giorno)
    prenotato = (
        (servizio_q if servizio_q is not None else Q(pk__in=[]))
        & ~Q(consumatore_id__in=sospesi)
        & ~Q(consumatore_id__in=assenti)
    )
    presente = (prenotato & ~Q(consumatore_id__in=override.filter(presente=False).values("consumatore_id"))) | Q(
        consumatore_id__in=override.filter(presente=True).values("consumatore_id")
    )
    return (
        # consumatore__comune lets PostgreSQL read only this comune's consumers, by index.
        IscrizioneMensa.objects.filter(
            comune=comune, data_inizio__lte=giorno, consumatore__comune=comune, consumatore__attivo=True
        )
        .filter(Q(data_fine__isnull=True) | Q(data_fine__gte=giorno))
        .filter(presente)
    )


MOVIMENTO_COLUMNS = (
    "comune_id", "consumatore_id", "servizio", "tipo", "importo", "data_valuta", "riferimento", "descrizione",
    "chiave", "motivo", "creato_il",
)


def prezzi_del_giorno(*, comune: Comune, giorno: datetime.date) -> dict[int, Decimal]:
    """{tariffa_id: per-meal amount valid that day}: a comune has a handful of tariffs, read once."""
    prezzi: dict[int, Decimal] = {}
    for tariffa_id, importo in (
        PrezzoTariffa.objects.filter(comune=comune, valido_dal__lte=giorno)
        .filter(Q(valido_al__isnull=True) | Q(valido_al__gte=giorno))
        .order_by("tariffa_id", "valido_dal")
        .values_list("tariffa_id", "importo")
    ):
        prezzi[tariffa_id] = importo  # the latest start wins
    return prezzi


def meal_debit_for_day(
    *, comune: Comune, giorno: datetime.date, prezzi_tariffe: dict[int, Decimal] | None = None
) -> int:
    """Debit one meal, at the tariff valid that day, to every consumer present: one INSERT … SELECT.

    Idempotent: the key "pasto:<day>" is unique per consumer and service, so re-runs, retries and two
    workers at once write each row once (ON CONFLICT DO NOTHING). Returns the rows written now.
    """
    if prezzi_tariffe is None:
        prezzi_tariffe = prezzi_del_giorno(comune=comune, giorno=giorno)
    prezzi = {k: v for k, v in prezzi_tariffe.items() if v > 0}
    if not prezzi:
        return 0
    queryset = presenti_queryset(comune=comune, giorno=giorno)
    now = timezone.now()
    money = DecimalField(max_digits=12, decimal_places=2)
    rows = (
        queryset.filter(tariffa_id__in=list(prezzi))
        .annotate(
            m_servizio=Value(Servizio.MENSA, output_field=TextField()),
            m_tipo=Value(TipoMovimento.PASTO, output_field=TextField()),
            m_importo=Case(
                *[When(tariffa_id=pk, then=Value(-importo, output_field=money)) for pk, importo in prezzi.items()],
                output_field=money,
            ),
            m_data=Value(giorno, output_field=DateField()),
            m_riferimento=Value(giorno.isoformat(), output_field=TextField()),
            m_descrizione=Value(f"Pasto del {_it(giorno)}", output_field=TextField()),
            m_chiave=Value(f"pasto:{giorno.isoformat()}", output_field=TextField()),
            m_motivo=Value("", output_field=TextField()),
            m_creato=Value(now, output_field=DateTimeField()),
        )
        .values_list(
            "comune_id", "consumatore_id", "m_servizio", "m_tipo", "m_importo", "m_data", "m_riferimento",
            "m_descrizione", "m_chiave", "m_motivo", "m_creato",
        )
        .order_by()
    )
    select_sql, params = rows.query.get_compiler(connection=connection).as_sql()
    table = Movimento._meta.db_table
    sql = (
        f"INSERT INTO {table} ({', '.join(MOVIMENTO_COLUMNS)}) {select_sql} "
        "ON CONFLICT (consumatore_id, servizio, chiave) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


@transaction.atomic
def sospensione_revoke(*, sospensione: Sospensione, revocata_da: User, motivo: str,
                       now: datetime.datetime | None = None) -> Sospensione:
    """Staff lift a suspension by hand, with a reason; it is not re-imposed in the same debt episode."""
    if not motivo.strip():
        raise ValidationError({"motivo_revoca": MOTIVO_REVOCA_ERROR})
    now = now or timezone.now()
    _close_suspension(sospensione, now, revocata_da, motivo)
    return sospensione


def sospensione_lift_if_restored(*, consumatore: Consumatore, now: datetime.datetime | None = None) -> bool:
    """Lift the consumer's open suspension as soon as a top-up brings the canteen balance back to zero or
    credit (before the cut-off today is booked again); True if one was lifted."""
    from pagamenti.selectors import saldo

    sospensione = (
        Sospensione.objects.filter(consumatore=consumatore, al__isnull=True).select_related("comune").first()
    )
    if sospensione is None or saldo(consumatore=consumatore, servizio=Servizio.MENSA) < 0:
        return False
    _close_suspension(sospensione, now or timezone.now(), None, "Saldo ripristinato con una ricarica")
    return True


def _close_suspension(sospensione: Sospensione, now: datetime.datetime, user: User | None, motivo: str,
                      last: datetime.date | None = None) -> None:
    if last is None:
        today = timezone.localtime(now, ROME).date()
        # Lifted before today's cut-off: today is booked again; after it, today stays as it was.
        passed = cutoff_passed(comune=sospensione.comune, giorno=today, now=now)
        last = today if passed else today - datetime.timedelta(1)
    sospensione.al = max(last, sospensione.dal - datetime.timedelta(1))
    sospensione.revocata_il = now
    sospensione.revocata_da = user
    sospensione.motivo_revoca = motivo
    sospensione.save(update_fields=["al", "revocata_il", "revocata_da", "motivo_revoca"])


SOSPENSIONE_TITOLO = "Servizio mensa sospeso per {nome}"
AVVISO_DEBITO_TITOLO = "{nome}: {pasti} pasti a debito"
AVVISO_CREDITO_TITOLO = "{nome}: credito mensa in esaurimento"
COME_RICARICARE = (
    "Per ricaricare: area CITTADINO → RICARICA (pagoPA), oppure in un PuntoLIS mostrando il codice QR "
    "del consumatore (Pagamenti → PuntoLIS → Dettaglio). Codice pagamento: {codice}."
)


def _episodio(consumatore_id: int, ultimo_credito: int | None) -> str:
    return f"{consumatore_id}:{ultimo_credito or 0}"


def debt_rules_apply(
    *,
    comune: Comune,
    giorno: datetime.date,
    now: datetime.datetime | None = None,
    prezzi_tariffe: dict[int, Decimal] | None = None,
) -> dict:
    """After the debit of `giorno`: suspend at N meals in debit, warn once at 2 meals and at low credit,
    lift suspensions whose balance is restored (>= 0). Thresholds are the comune's settings."""
    from django.db.models import Max, Sum

    from consumatori.models import Tutore
    from notifiche.services import notifica_send

    now = now or timezone.now()
    iscritti = IscrizioneMensa.objects.filter(comune=comune, data_inizio__lte=giorno).filter(
        Q(data_fine__isnull=True) | Q(data_fine__gte=giorno)
    )
    aperte = list(Sospensione.objects.filter(comune=comune, al__isnull=True).select_related("comune"))
    # Balances only went down for the consumers debited that day; suspended ones may have been topped up.
    debitati = Movimento.objects.filter(
        comune=comune, servizio=Servizio.MENSA, tipo=TipoMovimento.PASTO, data_valuta=giorno
    ).values("consumatore_id")
    # One aggregate over those accounts; only the ones under the low-credit line come back.
    conti = {
        row["consumatore_id"]: row
        for row in Movimento.objects.filter(comune=comune, servizio=Servizio.MENSA)
        .filter(Q(consumatore_id__in=debitati) | Q(consumatore_id__in=[s.consumatore_id for s in aperte]))
        .values("consumatore_id")
        .annotate(saldo=Sum("importo"), ultimo_credito=Max("id", filter=Q(importo__gt=0)))
        .filter(saldo__lt=comune.soglia_credito_in_esaurimento)
        .order_by()
    }
    result = {"sospesi": 0, "avvisi_debito": 0, "avvisi_credito": 0, "riattivati": 0}
    # Lift open suspensions whose account is back to zero or credit.
    open_ids_closed: set[int] = set()
    for sospensione in aperte:
        conto = conti.get(sospensione.consumatore_id)
        if conto is None or conto["saldo"] >= 0:
            # Restored tonight: the next day is booked again.
            _close_suspension(sospensione, now, None, "Saldo ripristinato", last=giorno)
            result["riattivati"] += 1
            open_ids_closed.add(sospensione.consumatore_id)
    if not conti:
        return result
    if prezzi_tariffe is None:
        prezzi_tariffe = prezzi_del_giorno(comune=comune, giorno=giorno)
    prezzi: dict[int, Decimal | None] = {}
    consumatori: dict[int, Consumatore] = {}
    for iscrizione in iscritti.filter(consumatore_id__in=list(conti)).select_related("consumatore"):
        prezzi[iscrizione.consumatore_id] = prezzi_tariffe.get(iscrizione.tariffa_id)
        consumatori[iscrizione.consumatore_id] = iscrizione.consumatore
    utenti: dict[int, list[User]] = {}
    for tutore in Tutore.objects.filter(consumatore_id__in=list(conti), utente__isnull=False).select_related("utente"):
        utenti.setdefault(tutore.consumatore_id, []).append(tutore.utente)
    open_ids = {s.consumatore_id for s in aperte} - open_ids_closed
    for consumatore_id, conto in conti.items():
        saldo = conto["saldo"].quantize(Decimal("0.01"))
        prezzo = prezzi.get(consumatore_id) or Decimal("0")
        consumatore = consumatori.get(consumatore_id)
        if consumatore is None:  # not enrolled that day any more
            continue
        episodio = _episodio(consumatore_id, conto["ultimo_credito"])
        nome = consumatore.nome_completo
        come = COME_RICARICARE.format(codice=consumatore.codice_pagamento)
        saldo_txt = f"{saldo:.2f}".replace(".", ",")
        if prezzo > 0 and saldo <= -comune.soglia_sospensione_pasti * prezzo:
            if consumatore_id in open_ids:
                continue
            try:
                # Once per debt episode (unique): lifted by staff, it is not re-imposed until a new debt.
                with transaction.atomic():
                    Sospensione.objects.create(
                        comune=comune, consumatore=consumatore, dal=giorno + datetime.timedelta(1), saldo=saldo,
                        episodio=episodio,
                    )
            except IntegrityError:
                continue
            result["sospesi"] += 1
            kind = None
            titolo = SOSPENSIONE_TITOLO.format(nome=nome)
            testo = (f"Il saldo mensa di {nome} è {saldo_txt} €, pari ad almeno {comune.soglia_sospensione_pasti} "
                     f"pasti a debito: dal {_it(giorno + datetime.timedelta(1))} il servizio mensa è sospeso "
                     f"fino al ripristino del saldo.\n{come}")
            chiave = f"mensa:sospensione:{episodio}"
        elif prezzo > 0 and saldo <= -comune.soglia_avviso_pasti_debito * prezzo:
            pasti = int(-saldo // prezzo)
            titolo = AVVISO_DEBITO_TITOLO.format(nome=nome, pasti=pasti)
            testo = (f"Il saldo mensa di {nome} è {saldo_txt} € ({pasti} pasti a debito). Al raggiungimento di "
                     f"{comune.soglia_sospensione_pasti} pasti a debito il servizio sarà sospeso.\n{come}")
            chiave = f"mensa:debito:{episodio}"
            kind = "avvisi_debito"
        else:
            titolo = AVVISO_CREDITO_TITOLO.format(nome=nome)
            testo = f"Il saldo mensa di {nome} è {saldo_txt} €: il credito sta per esaurirsi.\n{come}"
            chiave = f"mensa:credito:{episodio}"
            kind = "avvisi_credito"
        sent = [
            notifica_send(comune=comune, user=user, consumatore=consumatore, titolo=titolo, testo=testo, chiave=chiave)
            for user in utenti.get(consumatore_id, [])
        ]
        if kind and any(sent):
            result[kind] += 1
    return result


def meal_debit_run(*, comune: Comune, giorno: datetime.date, force: bool = False) -> dict:
    """The nightly job of one comune: debit the day, then suspensions and warnings. Same for Celery and CLI.

    A completed run leaves a row (comune, day): a second run the same night returns at once. `force`
    runs again anyway (e.g. after a late operator record); the ledger keys still make it write each meal once.
    """
    from .models import AddebitoEseguito

    result = {"comune": comune.slug, "giorno": giorno.isoformat(), "pasti_addebitati": 0, "sospesi": 0,
              "avvisi_debito": 0, "avvisi_credito": 0, "riattivati": 0, "gia_eseguito": False}
    if not force and AddebitoEseguito.objects.filter(comune=comune, giorno=giorno).exists():
        return {**result, "gia_eseguito": True}
    with transaction.atomic():
        prezzi = prezzi_del_giorno(comune=comune, giorno=giorno)
        scritti = meal_debit_for_day(comune=comune, giorno=giorno, prezzi_tariffe=prezzi)
        result.update(debt_rules_apply(comune=comune, giorno=giorno, prezzi_tariffe=prezzi), pasti_addebitati=scritti)
        try:
            with transaction.atomic():
                AddebitoEseguito.objects.create(comune=comune, giorno=giorno, pasti=scritti)
        except IntegrityError:
            pass  # a forced re-run, or another worker finished first: the ledger is the same
    return result

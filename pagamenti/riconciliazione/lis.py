"""The PuntoLIS daily statement (our CSV format, documented in README.md) matched against the LIS top-ups.

LIS's own statement format is not public; ours mirrors the FdR, behind this module so the real one
can replace it:

    ESTRATTO,<comune fiscal code>,<day YYYY-MM-DD>,<number of top-ups>,<total amount>
    transaction_id,payment_code,amount,service,paid_at
    LIS-000123,K7Q2M9TR4XAB,25.00,mensa,2026-11-23T10:15:00+01:00
    ...

Refused (nothing imported): not such a CSV, another comune's fiscal code, a malformed row, the same
transaction twice. Imported as anomalies: totals that do not add up, a top-up we never received,
a different amount, a transaction already in another statement; top-ups no statement lists are
found by `ricariche_senza_estratto`.
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from comuni.models import Comune, User
from pagamenti.models import Servizio, TransazioneLIS

from .models import EstrattoLIS, RigaEstrattoLIS, StatoRigaLIS
from .selectors import giorni_attesa
from .services import EsitoImport, impronta_of, totali_avvisi

INTESTAZIONE = ["transaction_id", "payment_code", "amount", "service", "paid_at"]
GIA_IMPORTATO_LIS = "L'estratto PuntoLIS del %(giorno)s era già stato importato il %(quando)s: nulla è cambiato."
MAX_ERRORI = 50


def _importo(valore: str) -> Decimal | None:
    try:
        importo = Decimal(valore)
    except (InvalidOperation, ValueError):
        return None
    return importo if importo > 0 and importo == importo.quantize(Decimal("0.01")) else None


def estratto_parse(*, comune: Comune, contenuto: bytes) -> tuple[dict, list[dict], list[str]]:
    """The statement's head, its rows and every error found (rows are line-numbered as in the file)."""
    try:
        testo = contenuto.decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}, [], [_("Il file non è un CSV in UTF-8.")]
    righe = list(csv.reader(io.StringIO(testo)))
    errori: list[str] = []
    if len(righe) < 2 or len(righe[0]) != 5 or righe[0][0] != "ESTRATTO" or \
            [c.strip() for c in righe[1]] != INTESTAZIONE:
        return {}, [], [_("Il file non è un estratto PuntoLIS: la riga 1 deve essere «ESTRATTO,codice fiscale,"
                          "giorno,numero,totale» e la riga 2 «%(h)s».") % {"h": ",".join(INTESTAZIONE)}]
    _tag, ente, giorno, numero, totale = (c.strip() for c in righe[0])
    testa: dict = {"ente": ente}
    if ente != comune.codice_fiscale:
        errori.append(_("Riga 1: l'estratto è intestato all'ente %(ricevuto)s, non al %(comune)s (%(cf)s).")
                      % {"ricevuto": ente, "comune": comune, "cf": comune.codice_fiscale})
    try:
        testa["data"] = datetime.date.fromisoformat(giorno)
    except ValueError:
        errori.append(_("Riga 1: «%(v)s» non è un giorno (AAAA-MM-GG).") % {"v": giorno[:20]})
    testa["numero"] = int(numero) if numero.isdigit() else None
    testa["totale"] = _importo(totale) if totale not in ("0", "0.00") else Decimal("0.00")
    if testa["numero"] is None or testa["totale"] is None:
        errori.append(_("Riga 1: numero di ricariche o totale non validi."))
    voci: list[dict] = []
    visti: dict[str, int] = {}
    for n, riga in enumerate(righe[2:], start=3):
        if not any(c.strip() for c in riga):
            continue
        if len(errori) > MAX_ERRORI:
            break
        if len(riga) != 5:
            errori.append(_("Riga %(n)s: servono 5 colonne (%(h)s), trovate %(c)s.")
                          % {"n": n, "h": ",".join(INTESTAZIONE), "c": len(riga)})
            continue
        transaction_id, codice, importo_testo, servizio, quando = (c.strip() for c in riga)
        importo = _importo(importo_testo)
        try:
            pagata_il = parse_datetime(quando)
        except ValueError:
            pagata_il = None
        problemi = []
        if not transaction_id or len(transaction_id) > 100:
            problemi.append("transaction_id")
        if not codice or len(codice) > 40:
            problemi.append("payment_code")
        if importo is None:
            problemi.append("amount")
        if servizio not in Servizio.values:
            problemi.append("service")
        if pagata_il is None:
            problemi.append("paid_at")
        if problemi:
            errori.append(_("Riga %(n)s: valori non validi in %(campi)s.") % {"n": n, "campi": ", ".join(problemi)})
            continue
        if transaction_id in visti:
            errori.append(_("Righe %(primo)s e %(n)s: stessa transazione %(id)s (duplicato).")
                          % {"primo": visti[transaction_id], "n": n, "id": transaction_id})
            continue
        visti[transaction_id] = n
        voci.append({"riga": n, "transaction_id": transaction_id, "codice_pagamento": codice.upper(),
                     "importo": importo, "servizio": servizio,
                     "pagata_il": pagata_il if timezone.is_aware(pagata_il) else timezone.make_aware(pagata_il)})
    return testa, voci, errori


def _classifica(*, comune: Comune, estratto_id: int, voci: list[dict]) -> None:
    ids = [v["transaction_id"] for v in voci]
    nostre = {t.identificativo: t for t in TransazioneLIS.objects.filter(comune=comune, identificativo__in=ids)}
    altrove = set(RigaEstrattoLIS.objects.filter(comune=comune, transaction_id__in=ids, estratto_id__lt=estratto_id)
                  .values_list("transaction_id", flat=True))
    for voce in voci:
        nostra = nostre.get(voce["transaction_id"])
        voce["transazione"] = nostra
        if voce["transaction_id"] in altrove:
            voce["stato"] = StatoRigaLIS.DOPPIO
        elif nostra is None:
            voce["stato"] = StatoRigaLIS.SENZA_RICARICA
        elif nostra.importo != voce["importo"]:
            voce["stato"] = StatoRigaLIS.IMPORTO_DIVERSO
        else:
            voce["stato"] = StatoRigaLIS.RICONCILIATO


def estratto_import(*, comune: Comune, contenuto: bytes, nome_file: str = "", utente: User | None = None
                    ) -> EsitoImport:
    """Import one daily statement once (unique per comune and day); bad input imports nothing."""
    testa, voci, errori = estratto_parse(comune=comune, contenuto=contenuto)
    if errori:
        return EsitoImport(errori=errori)
    esistente = EstrattoLIS.objects.filter(comune=comune, data=testa["data"]).first()
    if esistente is not None:
        return _gia(esistente)
    numero, importo = len(voci), sum((v["importo"] for v in voci), Decimal("0.00"))
    try:
        with transaction.atomic():
            estratto = EstrattoLIS.objects.create(
                comune=comune, data=testa["data"], numero_dichiarato=testa["numero"],
                importo_dichiarato=testa["totale"], numero_calcolato=numero, importo_calcolato=importo,
                nome_file=nome_file[:200], impronta=impronta_of(contenuto), importato_da=utente)
            _classifica(comune=comune, estratto_id=estratto.pk, voci=voci)
            RigaEstrattoLIS.objects.bulk_create([RigaEstrattoLIS(comune=comune, estratto=estratto, **v) for v in voci],
                                                batch_size=2000)
            estratto.anomalie = sum(1 for v in voci if v["stato"] != StatoRigaLIS.RICONCILIATO)
            estratto.save(update_fields=["anomalie"])
    except IntegrityError:
        esistente = EstrattoLIS.objects.filter(comune=comune, data=testa["data"]).first()
        if esistente is None:
            raise
        return _gia(esistente)
    avvisi = totali_avvisi(numero_dichiarato=testa["numero"], importo_dichiarato=testa["totale"],
                           numero_calcolato=numero, importo_calcolato=importo)
    return EsitoImport(creato=True, avvisi=avvisi, flusso=estratto)


def _gia(esistente: EstrattoLIS) -> EsitoImport:
    return EsitoImport(flusso=esistente, avvisi=[_(GIA_IMPORTATO_LIS) % {
        "giorno": f"{esistente.data:%d/%m/%Y}", "quando": f"{esistente.importato_il:%d/%m/%Y %H:%M}"}])


@transaction.atomic
def estratti_rematch(*, comune: Comune) -> int:
    """Classify again the statement rows whose top-up had not been notified yet (it may have arrived since)."""
    cambiati = 0
    for estratto_id in set(RigaEstrattoLIS.objects.filter(comune=comune, stato=StatoRigaLIS.SENZA_RICARICA)
                           .values_list("estratto_id", flat=True)):
        righe = list(RigaEstrattoLIS.objects.select_for_update().filter(estratto_id=estratto_id))
        voci = [{"transaction_id": r.transaction_id, "importo": r.importo} for r in righe]
        _classifica(comune=comune, estratto_id=estratto_id, voci=voci)
        da_salvare = []
        for riga, voce in zip(righe, voci, strict=True):
            transazione_id = voce["transazione"].pk if voce["transazione"] else None
            if (riga.stato, riga.transazione_id) != (voce["stato"], transazione_id):
                riga.stato, riga.transazione_id = voce["stato"], transazione_id
                da_salvare.append(riga)
        RigaEstrattoLIS.objects.bulk_update(da_salvare, ["stato", "transazione"])
        cambiati += len(da_salvare)
        EstrattoLIS.objects.filter(pk=estratto_id).update(anomalie=sum(1 for r in righe if r.anomalo))
    return cambiati


def estratti_elenco(*, comune: Comune) -> QuerySet[EstrattoLIS]:
    return EstrattoLIS.objects.filter(comune=comune).order_by("-anomalie", "-data")


def estratto_righe(*, estratto: EstrattoLIS) -> QuerySet[RigaEstrattoLIS]:
    """The statement's rows, anomalies first."""
    return RigaEstrattoLIS.objects.filter(estratto=estratto).select_related("transazione").annotate(
        ordine=Case(When(stato=StatoRigaLIS.RICONCILIATO, then=Value(1)), default=Value(0),
                    output_field=IntegerField()),
    ).order_by("ordine", "riga")


def ricariche_senza_estratto(*, comune: Comune, oggi: datetime.date | None = None) -> QuerySet[TransazioneLIS]:
    """LIS top-ups no statement lists: their day's statement is in, or the waiting days have passed."""
    oggi = oggi or timezone.localdate()
    limite = timezone.make_aware(datetime.datetime.combine(
        oggi - datetime.timedelta(days=giorni_attesa(comune=comune)), datetime.time.min))
    giorni_con_estratto = EstrattoLIS.objects.filter(comune=comune).values("data")
    elencata = RigaEstrattoLIS.objects.filter(comune=comune, transaction_id=OuterRef("identificativo"))
    return (TransazioneLIS.objects.filter(comune=comune).annotate(giorno=TruncDate("pagata_il"))
            .filter(Q(pagata_il__lt=limite) | Q(giorno__in=giorni_con_estratto))
            .exclude(Exists(elencata)).select_related("consumatore").order_by("pagata_il"))

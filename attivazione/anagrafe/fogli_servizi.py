"""The sheets of the services: iscrizioni_mensa (here), iscrizioni_trasporto and saldi (through the imports
staff already use: trasporto.importazione, pagamenti.saldi_iniziali, fed with the rows not yet imported)."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from mensa.menu.models import DietaConsumatore, TipoDieta
from mensa.models import IscrizioneMensa, Tariffa
from pagamenti.models import Movimento
from pagamenti.saldi_iniziali import CHIAVE_SALDO_INIZIALE, saldi_iniziali_apply, saldi_iniziali_parse
from trasporto import importazione as trasporto_import
from trasporto.models import Iscrizione as IscrizioneTrasporto

from . import righe as r
from .fogli_anagrafe import BATCH, alunno_di
from .lettura import Foglio

CERTIFICATO_IMPORTATO = "dal sistema precedente"


def _tariffa(tariffe: list[Tariffa], valore: str) -> Tariffa | None | str:
    """A tariff by name; else an ISEE value picks the bracket; a string is the problem's message."""
    per_nome = {t.nome.casefold(): t for t in tariffe}
    if valore.casefold() in per_nome:
        return per_nome[valore.casefold()]
    try:
        isee = r.decimale(valore)
    except ValueError:
        return str(r.TARIFFA_INESISTENTE)
    if isee is None:
        return str(r.OBBLIGATORIO)
    fasce = [t for t in tariffe if (t.isee_da is not None or t.isee_a is not None) and not t.esenzione
             and (t.isee_da is None or t.isee_da <= isee) and (t.isee_a is None or isee <= t.isee_a)]
    return fasce[0] if fasce else str(r.ISEE_SENZA_FASCIA)


def _sovrapposte(periodi: list[tuple], dal, al) -> bool:
    return any(d <= (al or dal.max) and dal <= (a or dal.max) for d, a in periodi)


def iscrizioni_mensa(ctx, foglio: Foglio) -> None:
    esito, nuove, cambiate, diete_nuove, visti = ctx.esito, [], [], [], {}
    tariffe = list(Tariffa.objects.filter(comune=ctx.comune, tariffa_base__isnull=True).order_by("isee_da", "nome"))
    diete = {d.nome.casefold(): d for d in TipoDieta.objects.filter(comune=ctx.comune)}
    esistenti: dict[int, list[IscrizioneMensa]] = {}
    for iscrizione in IscrizioneMensa.objects.filter(comune=ctx.comune):
        esistenti.setdefault(iscrizione.consumatore_id, []).append(iscrizione)
    diete_esistenti: dict[tuple, list[tuple]] = {}
    for dieta in DietaConsumatore.objects.filter(comune=ctx.comune):
        diete_esistenti.setdefault((dieta.consumatore_id, dieta.tipo_id), []).append((dieta.data_inizio,
                                                                                      dieta.data_fine))
    nel_file: dict[int, list[tuple]] = {}
    for riga, row in foglio.righe:
        prima = len(esito.problemi)
        consumatore = alunno_di(ctx, "iscrizioni_mensa", riga, "codice_fiscale", row.get("codice_fiscale"))
        date = {}
        for colonna in ("dal", "al"):
            try:
                date[colonna] = r.data(row.get(colonna))
            except ValueError as errore:
                esito.problema("iscrizioni_mensa", riga, colonna, row.get(colonna), str(errore))
                date[colonna] = None
        dal, al = date["dal"], date["al"]
        if dal is None and "dal" not in [p.colonna for p in esito.problemi[prima:]]:
            esito.problema("iscrizioni_mensa", riga, "dal", "", r.OBBLIGATORIO)
        if dal and al and al < dal:
            esito.problema("iscrizioni_mensa", riga, "al", row.get("al"), r.DATE_INVERTITE)
        tariffa = _tariffa(tariffe, r.testo(row.get("tariffa")))
        if isinstance(tariffa, str):
            esito.problema("iscrizioni_mensa", riga, "tariffa", row.get("tariffa"), tariffa)
        nome_dieta = r.testo(row.get("dieta"))
        dieta = diete.get(nome_dieta.casefold()) if nome_dieta else None
        if nome_dieta and dieta is None:
            esito.problema("iscrizioni_mensa", riga, "dieta", nome_dieta, r.DIETA_INESISTENTE)
        if len(esito.problemi) > prima or consumatore is None:
            continue
        if _duplicato_stesso(visti, (consumatore.codice_fiscale, dal), (al, tariffa.pk, nome_dieta), esito, riga):
            continue
        stessa = next((i for i in esistenti.get(consumatore.pk, []) if i.data_inizio == dal), None)
        altre = [(i.data_inizio, i.data_fine) for i in esistenti.get(consumatore.pk, []) if i is not stessa]
        if _sovrapposte(altre + nel_file.get(consumatore.pk, []), dal, al):
            esito.problema("iscrizioni_mensa", riga, "dal", row.get("dal"), r.ISCRIZIONE_SOVRAPPOSTA)
            continue
        nel_file.setdefault(consumatore.pk, []).append((dal, al))
        if stessa is None:
            nuove.append(IscrizioneMensa(comune=ctx.comune, consumatore=consumatore, tariffa=tariffa,
                                         data_inizio=dal, data_fine=al))
            esito.conta("iscrizioni_mensa", "creati")
        elif (stessa.tariffa_id, stessa.data_fine) != (tariffa.pk, al):
            stessa.tariffa, stessa.data_fine = tariffa, al
            cambiate.append(stessa)
            esito.conta("iscrizioni_mensa", "aggiornati")
        else:
            esito.conta("iscrizioni_mensa", "invariati")
        if dieta is not None and not _sovrapposte(diete_esistenti.get((consumatore.pk, dieta.pk), []), dal, al):
            diete_esistenti.setdefault((consumatore.pk, dieta.pk), []).append((dal, al))
            diete_nuove.append(DietaConsumatore(comune=ctx.comune, consumatore=consumatore, tipo=dieta,
                                                data_inizio=dal, data_fine=al, certificato=CERTIFICATO_IMPORTATO))
    IscrizioneMensa.objects.bulk_create(nuove, batch_size=BATCH)
    IscrizioneMensa.objects.bulk_update(cambiate, ["tariffa", "data_fine"], batch_size=BATCH)
    DietaConsumatore.objects.bulk_create(diete_nuove, batch_size=BATCH)
    ctx.consumatori_toccati.update(i.consumatore_id for i in nuove + cambiate)


def _duplicato_stesso(visti: dict, chiave, dati, esito, riga: int) -> bool:
    if chiave not in visti:
        visti[chiave] = (riga, dati)
        return False
    if visti[chiave][1] != dati:
        esito.problema("iscrizioni_mensa", riga, "codice_fiscale", chiave[0],
                       r.DUPLICATO_DIVERSO % {"riga": visti[chiave][0]})
    return True


_RIGA = re.compile(r"^Riga (\d+): (?:(\w+): )?(.*)$", re.S)


def _csv(colonne: list[str], righe: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(colonne)
    writer.writerows(righe)
    return buffer.getvalue()


def iscrizioni_trasporto(ctx, foglio: Foglio) -> None:
    """Feed trasporto.importazione the rows whose enrolment (pupil, route, start) is not there yet."""
    esito = ctx.esito
    esistenti = {(cf, linea.casefold(), dal) for cf, linea, dal in IscrizioneTrasporto.objects.filter(
        comune=ctx.comune).values_list("consumatore__codice_fiscale", "linea__nome", "data_inizio")}
    colonne = [c for c in trasporto_import.COLONNE]
    da_importare, origine = [], {}
    for riga, row in foglio.righe:
        consumatore = alunno_di(ctx, "iscrizioni_trasporto", riga, "codice_fiscale", row.get("codice_fiscale"))
        if consumatore is None:
            continue
        valori = {c: r.testo(row.get(c)) for c in colonne}
        valori["codice_fiscale"] = consumatore.codice_fiscale
        try:
            for colonna in ("dal", "al"):
                giorno = r.data(row.get(colonna))
                valori[colonna] = f"{giorno:%d/%m/%Y}" if giorno else ""
        except ValueError as errore:
            esito.problema("iscrizioni_trasporto", riga, colonna, row.get(colonna), str(errore))
            continue
        dal = r.data(row.get("dal"))
        if (consumatore.codice_fiscale, valori["linea"].casefold(), dal) in esistenti:
            esito.conta("iscrizioni_trasporto", "invariati")
            continue
        origine[len(da_importare) + 2] = (riga, row)
        da_importare.append([valori[c] for c in colonne])
    if not da_importare:
        return
    risultato = trasporto_import.iscrizioni_import(comune=ctx.comune, file=_csv(colonne, da_importare),
                                                   dry_run=False)
    for errore in risultato.errori:
        match = _RIGA.match(errore)
        if not match:
            esito.problema("iscrizioni_trasporto", 1, "", "", errore)
            continue
        riga, row = origine.get(int(match.group(1)), (0, {}))
        colonna = match.group(2) or ""
        esito.problema("iscrizioni_trasporto", riga, colonna, row.get(colonna, ""), match.group(3))
    esito.conta("iscrizioni_trasporto", "creati", risultato.create)


def saldi(ctx, foglio: Foglio) -> None:
    """Feed pagamenti.saldi_iniziali the balances not imported yet; the same balance again is unchanged."""
    esito = ctx.esito
    gia = {(m.consumatore_id, m.servizio): m.importo
           for m in Movimento.objects.filter(comune=ctx.comune, chiave=CHIAVE_SALDO_INIZIALE)}
    da_importare, origine = [], {}
    for riga, row in foglio.righe:
        consumatore = alunno_di(ctx, "saldi", riga, "codice_fiscale", row.get("codice_fiscale"))
        if consumatore is None:
            continue
        servizio = r.testo(row.get("servizio")).lower()
        try:
            saldo = r.decimale(row.get("saldo"))
        except ValueError:
            saldo = None
        testo_saldo = str(saldo) if isinstance(saldo, Decimal) else r.testo(row.get("saldo"))
        if saldo is not None and gia.get((consumatore.pk, servizio)) == saldo:
            esito.conta("saldi", "invariati")
            continue
        origine[len(da_importare) + 2] = (riga, row)
        da_importare.append([consumatore.codice_fiscale, servizio, testo_saldo])
    if not da_importare:
        return
    contenuto = _csv(["codice_fiscale", "servizio", "saldo"], da_importare).encode()
    anteprima = saldi_iniziali_parse(comune=ctx.comune, content=contenuto, filename="saldi.csv")
    for errore in anteprima.errori:
        riga, row = origine.get(errore.riga, (errore.riga, {}))
        esito.problema("saldi", riga, errore.colonna, row.get(errore.colonna, ""), errore.messaggio)
    if anteprima.errori:
        return
    creati = saldi_iniziali_apply(comune=ctx.comune, anteprima=anteprima, creato_da=ctx.creato_da)
    esito.conta("saldi", "creati", creati)
    if anteprima.saltate:
        esito.conta("saldi", "invariati", anteprima.saltate)

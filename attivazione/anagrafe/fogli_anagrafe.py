"""The sheets of the registry: scuole, classi, alunni, tutori. Each reads the comune's rows once, checks
every row, then writes in bulk only what is new or different."""

from __future__ import annotations

import re

from django_scopes import scopes_disabled

from consumatori.models import (
    PAYMENT_CODE_LENGTH,
    AnnoScolastico,
    Classe,
    ClasseConsumatore,
    Consumatore,
    Relazione,
    Scuola,
    Tutore,
)

from . import righe as r
from .lettura import Foglio

BATCH = 2000
_CODICE_MECCANOGRAFICO = re.compile(r"^[A-Z0-9]{1,10}$")
_CODICE_PAGAMENTO = re.compile(rf"^[A-Z0-9]{{4,{PAYMENT_CODE_LENGTH}}}$")
_ANNO_SCOLASTICO = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$")


def carica_esistenti(ctx) -> None:
    """Schools, classes and pupils already in the comune, in three queries."""
    for scuola in Scuola.objects.filter(comune=ctx.comune):
        ctx.scuole[(scuola.codice_meccanografico or f"#{scuola.pk}").upper()] = scuola
    for classe in Classe.objects.filter(comune=ctx.comune).select_related("anno_scolastico"):
        ctx.classi[_chiave_classe(classe.scuola_id, classe.anno_scolastico.nome, classe.anno, classe.sezione)] = classe
    ctx.consumatori = {c.codice_fiscale: c for c in Consumatore.objects.filter(comune=ctx.comune)}


def _chiave_classe(scuola_id: int | None, anno_scolastico: str, anno, sezione: str) -> tuple:
    """Classes by their school's id: a school the file renames or gives a code keeps its classes."""
    return (scuola_id, anno_scolastico, anno, sezione.upper())


def _vuoto(esito, foglio: str, riga: int, colonna: str, valore: str) -> bool:
    if not valore:
        esito.problema(foglio, riga, colonna, "", r.OBBLIGATORIO)
        return True
    return False


def _duplicato(esito, visti: dict, chiave, dati, foglio: str, riga: int, colonna: str, valore: str) -> bool:
    """True when the key was seen before; a problem when its data differ (identical repetitions are fine)."""
    if chiave not in visti:
        visti[chiave] = (riga, dati)
        return False
    if visti[chiave][1] != dati:
        esito.problema(foglio, riga, colonna, valore, r.DUPLICATO_DIVERSO % {"riga": visti[chiave][0]})
    return True


def scuole(ctx, foglio: Foglio) -> None:
    esito, nuove, cambiate, visti, nomi_file = ctx.esito, [], [], {}, {}
    per_nome = {s.nome.casefold(): s for s in ctx.scuole.values()}
    from .importa import TIPI_SCUOLA

    for riga, row in foglio.righe:
        cm = r.testo(row.get("codice_meccanografico")).upper().replace(" ", "")
        nome, indirizzo = r.testo(row.get("nome")), r.testo(row.get("indirizzo"))
        tipo_testo = r.testo(row.get("tipo"))
        tipo = TIPI_SCUOLA.get(tipo_testo.casefold())
        prima = len(esito.problemi)
        if not _vuoto(esito, "scuole", riga, "codice_meccanografico", cm) and not _CODICE_MECCANOGRAFICO.match(cm):
            esito.problema("scuole", riga, "codice_meccanografico", cm, r.CODICE_MECCANOGRAFICO)
        if not _vuoto(esito, "scuole", riga, "nome", nome) and (errore := r.lunghezza_errore(nome, 150)):
            esito.problema("scuole", riga, "nome", nome, errore)
        if tipo is None:
            esito.problema("scuole", riga, "tipo", tipo_testo, r.TIPO_SCUOLA)
        if errore := r.lunghezza_errore(indirizzo, 200):
            esito.problema("scuole", riga, "indirizzo", indirizzo, errore)
        if len(esito.problemi) > prima or _duplicato(esito, visti, cm, (nome, tipo, indirizzo), "scuole", riga,
                                                       "codice_meccanografico", cm):
            continue
        if nome.casefold() in nomi_file and nomi_file[nome.casefold()][1] != cm:
            esito.problema("scuole", riga, "nome", nome, r.DUPLICATO_DIVERSO % {"riga": nomi_file[nome.casefold()][0]})
            continue
        nomi_file[nome.casefold()] = (riga, cm)
        scuola = ctx.scuole.get(cm) or per_nome.get(nome.casefold())
        if scuola is None:
            scuola = Scuola(comune=ctx.comune, codice_meccanografico=cm, nome=nome, tipo=tipo, indirizzo=indirizzo)
            nuove.append(scuola)
            esito.conta("scuole", "creati")
        elif (scuola.codice_meccanografico, scuola.nome, scuola.tipo, scuola.indirizzo) != (
                cm, nome, tipo, indirizzo or scuola.indirizzo):
            scuola.codice_meccanografico, scuola.nome, scuola.tipo = cm, nome, tipo
            scuola.indirizzo = indirizzo or scuola.indirizzo
            cambiate.append(scuola)
            esito.conta("scuole", "aggiornati")
        else:
            esito.conta("scuole", "invariati")
        ctx.scuole[cm] = scuola
        per_nome[nome.casefold()] = scuola
    Scuola.objects.bulk_create(nuove)
    Scuola.objects.bulk_update(cambiate, ["codice_meccanografico", "nome", "tipo", "indirizzo"])


def nome_anno_scolastico(value: str) -> str:
    """"2026/27", "2026/2027", "2026-27" → "2026/27"."""
    match = _ANNO_SCOLASTICO.match(value)
    return f"{match.group(1)}/{match.group(2)[-2:]}" if match else value


def classi(ctx, foglio: Foglio) -> None:
    esito, nuove, visti = ctx.esito, [], {}
    anni = {a.nome: a for a in AnnoScolastico.objects.filter(comune=ctx.comune)}
    usati: set[str] = set()
    for riga, row in foglio.righe:
        cm = r.testo(row.get("codice_meccanografico")).upper().replace(" ", "")
        nome_anno = nome_anno_scolastico(r.testo(row.get("anno_scolastico")))
        sezione = r.testo(row.get("sezione")).upper()
        prima = len(esito.problemi)
        scuola = ctx.scuole.get(cm)
        if not _vuoto(esito, "classi", riga, "codice_meccanografico", cm) and scuola is None:
            esito.problema("classi", riga, "codice_meccanografico", cm, r.SCUOLA_SCONOSCIUTA)
        anno_scolastico = anni.get(nome_anno)
        if not _vuoto(esito, "classi", riga, "anno_scolastico", nome_anno) and anno_scolastico is None:
            esito.problema("classi", riga, "anno_scolastico", nome_anno, r.ANNO_SCOLASTICO_SCONOSCIUTO)
        anno = _anno_classe(esito, "classi", riga, row.get("anno"))
        if not _vuoto(esito, "classi", riga, "sezione", sezione) and (errore := r.lunghezza_errore(sezione, 10)):
            esito.problema("classi", riga, "sezione", sezione, errore)
        if len(esito.problemi) > prima:
            continue
        usati.add(nome_anno)
        chiave = _chiave_classe(scuola.pk, nome_anno, anno, sezione)
        if _duplicato(esito, visti, chiave, chiave, "classi", riga, "sezione", sezione):
            continue
        if chiave in ctx.classi:
            esito.conta("classi", "invariati")
            continue
        classe = Classe(comune=ctx.comune, scuola=scuola, anno_scolastico=anno_scolastico, anno=anno, sezione=sezione)
        ctx.classi[chiave] = classe
        nuove.append(classe)
        esito.conta("classi", "creati")
    if usati:
        # The pupils' classes are those of the latest year the sheet names.
        ctx.anno = max((anni[n] for n in usati), key=lambda a: a.data_inizio)
    Classe.objects.bulk_create(nuove)


_NO_ANNO = object()


def _anno_classe(esito, foglio: str, riga: int, value) -> int | None | object:
    testo = r.testo(value)
    if not testo:
        return None
    if testo.isdigit() and 1 <= int(testo) <= 5:
        return int(testo)
    esito.problema(foglio, riga, "anno", testo, r.ANNO_CLASSE)
    return _NO_ANNO


def _codici_pagamento_liberi(codici: set[str]) -> set[str]:
    """The payment codes of the old system nobody uses yet (unique on the whole installation)."""
    # The old system's alphabet may differ from ours (which leaves out look-alikes): any letters and digits.
    validi = {c for c in codici if _CODICE_PAGAMENTO.match(c)}
    if not validi:
        return set()
    with scopes_disabled():
        presi = set(Consumatore.objects.filter(codice_pagamento__in=validi).values_list("codice_pagamento", flat=True))
    return validi - presi


def alunni(ctx, foglio: Foglio) -> None:
    esito, visti, nuovi, cambiati = ctx.esito, {}, [], []
    if ctx.anno is None:
        esito.problema("alunni", 0, "", "", r.NESSUN_ANNO)
        return
    nome_anno = ctx.anno.nome
    letti = []
    for riga, row in foglio.righe:
        cf = r.codice_fiscale(row.get("codice_fiscale"))
        cognome, nome = r.testo(row.get("cognome")), r.testo(row.get("nome"))
        cm = r.testo(row.get("codice_meccanografico")).upper().replace(" ", "")
        sezione = r.testo(row.get("sezione")).upper()
        prima = len(esito.problemi)
        if not _vuoto(esito, "alunni", riga, "codice_fiscale", cf):
            esistente = ctx.consumatori.get(cf)
            if esistente is None and (errore := r.codice_fiscale_errore(cf)):
                esito.problema("alunni", riga, "codice_fiscale", row.get("codice_fiscale"), errore)
        for colonna, valore in (("cognome", cognome), ("nome", nome)):
            if not _vuoto(esito, "alunni", riga, colonna, valore) and (errore := r.lunghezza_errore(valore, 100)):
                esito.problema("alunni", riga, colonna, valore, errore)
        try:
            nascita = r.data(row.get("data_nascita"))
            _vuoto(esito, "alunni", riga, "data_nascita", "x" if nascita else "")
        except ValueError as errore:
            esito.problema("alunni", riga, "data_nascita", row.get("data_nascita"), str(errore))
            nascita = None
        anno = _anno_classe(esito, "alunni", riga, row.get("anno"))
        scuola = ctx.scuole.get(cm)
        classe = ctx.classi.get(_chiave_classe(scuola.pk if scuola else None, nome_anno, anno, sezione))
        if cm and sezione and anno is not _NO_ANNO and classe is None:
            valore = f"{cm} {anno or ''}{sezione}".replace("  ", " ")
            esito.problema("alunni", riga, "sezione", valore, r.CLASSE_SCONOSCIUTA % {"anno": nome_anno})
        elif not cm or not sezione:
            _vuoto(esito, "alunni", riga, "codice_meccanografico", cm)
            _vuoto(esito, "alunni", riga, "sezione", sezione)
        if len(esito.problemi) > prima:
            if cf:
                ctx.consumatori_scartati.add(cf)
            continue
        dati = (cognome, nome, nascita, cm, anno, sezione)
        if _duplicato(esito, visti, cf, dati, "alunni", riga, "codice_fiscale", cf):
            continue
        letti.append((cf, cognome, nome, nascita, classe, r.testo(row.get("codice_pagamento")).upper()))
    # The rows without problems are written even when others have some: the later sheets are checked
    # against them, and the transaction is rolled back at the end anyway.
    liberi = _codici_pagamento_liberi({c[5] for c in letti if c[5] and c[0] not in ctx.consumatori})
    for cf, cognome, nome, nascita, classe, codice in letti:
        consumatore = ctx.consumatori.get(cf)
        if consumatore is None:
            consumatore = Consumatore(comune=ctx.comune, codice_fiscale=cf, cognome=cognome, nome=nome,
                                      data_nascita=nascita, classe=classe)
            if codice in liberi:
                consumatore.codice_pagamento = codice
                liberi.discard(codice)
            nuovi.append(consumatore)
            ctx.consumatori[cf] = consumatore
            esito.conta("alunni", "creati")
        elif (consumatore.cognome, consumatore.nome, consumatore.data_nascita, consumatore.classe_id) != (
                cognome, nome, nascita, classe.pk):
            consumatore.cognome, consumatore.nome, consumatore.data_nascita = cognome, nome, nascita
            consumatore.classe = classe
            cambiati.append(consumatore)
            esito.conta("alunni", "aggiornati")
        else:
            esito.conta("alunni", "invariati")
    Consumatore.objects.bulk_create(nuovi, batch_size=BATCH)
    Consumatore.objects.bulk_update(cambiati, ["cognome", "nome", "data_nascita", "classe"], batch_size=BATCH)
    ctx.consumatori_toccati.update(c.pk for c in cambiati)
    _storico(ctx, [ctx.consumatori[cf] for cf, *_ in letti])


def _storico(ctx, consumatori: list[Consumatore]) -> None:
    """Each pupil's class for the year of the file (consumatori.storico's rows), written when missing or moved."""
    esistenti = {s.consumatore_id: s for s in ClasseConsumatore.objects.filter(
        comune=ctx.comune, anno_scolastico=ctx.anno, consumatore__in=[c.pk for c in consumatori])}
    nuovi, cambiati = [], []
    for consumatore in consumatori:
        riga = esistenti.get(consumatore.pk)
        if riga is None:
            nuovi.append(ClasseConsumatore(comune=ctx.comune, consumatore=consumatore, anno_scolastico=ctx.anno,
                                           classe_id=consumatore.classe_id))
        elif riga.classe_id != consumatore.classe_id:
            riga.classe_id = consumatore.classe_id
            cambiati.append(riga)
    ClasseConsumatore.objects.bulk_create(nuovi, batch_size=BATCH)
    ClasseConsumatore.objects.bulk_update(cambiati, ["classe"], batch_size=BATCH)


def alunno_di(ctx, foglio: str, riga: int, colonna: str, valore, messaggio=r.ALUNNO_SCONOSCIUTO) -> Consumatore | None:
    """The pupil a row refers to by codice fiscale; a problem when neither the file nor the comune has it."""
    cf = r.codice_fiscale(valore)
    consumatore = ctx.consumatori.get(cf)
    if consumatore is None and cf not in ctx.consumatori_scartati:
        ctx.esito.problema(foglio, riga, colonna, valore, messaggio)
    return consumatore


def tutori(ctx, foglio: Foglio) -> None:
    esito, visti, nuovi, cambiati = ctx.esito, {}, [], []
    esistenti = {}
    for tutore in Tutore.objects.filter(comune=ctx.comune):
        esistenti[_chiave_tutore(tutore.consumatore_id, tutore.codice_fiscale, tutore.cognome, tutore.nome)] = tutore
    noti = {t.codice_fiscale for t in esistenti.values() if t.codice_fiscale}
    for riga, row in foglio.righe:
        prima = len(esito.problemi)
        consumatore = alunno_di(ctx, "tutori", riga, "codice_fiscale_alunno", row.get("codice_fiscale_alunno"),
                                r.TUTORE_SENZA_ALUNNO)
        cf = r.codice_fiscale(row.get("codice_fiscale"))
        if cf and cf not in noti and (errore := r.codice_fiscale_errore(cf)):
            esito.problema("tutori", riga, "codice_fiscale", row.get("codice_fiscale"), errore)
        cognome, nome = r.testo(row.get("cognome")), r.testo(row.get("nome"))
        for colonna, valore in (("cognome", cognome), ("nome", nome)):
            if not _vuoto(esito, "tutori", riga, colonna, valore) and (errore := r.lunghezza_errore(valore, 100)):
                esito.problema("tutori", riga, colonna, valore, errore)
        relazione = r.testo(row.get("relazione")).lower() or Relazione.GENITORE
        if relazione not in Relazione.values:
            esito.problema("tutori", riga, "relazione", relazione, r.RELAZIONE)
        email = r.testo(row.get("email")).lower()
        if (errore := r.email_errore(email)) or (errore := r.lunghezza_errore(email, 254)):
            esito.problema("tutori", riga, "email", email, errore)
        telefono = r.testo(row.get("telefono"))
        if errore := r.lunghezza_errore(telefono, 30):
            esito.problema("tutori", riga, "telefono", telefono, errore)
        if len(esito.problemi) > prima or consumatore is None:
            continue
        chiave = _chiave_tutore(consumatore.pk, cf, cognome, nome)
        if _duplicato(esito, visti, chiave, (relazione, email, telefono, cognome, nome), "tutori", riga,
                      "codice_fiscale", cf or f"{cognome} {nome}"):
            continue
        tutore = esistenti.get(chiave)
        if tutore is None:
            nuovi.append(Tutore(comune=ctx.comune, consumatore=consumatore, codice_fiscale=cf, cognome=cognome,
                                nome=nome, relazione=relazione, email=email, telefono=telefono))
            esito.conta("tutori", "creati")
            continue
        # Empty optional cells keep what the comune (or the family) recorded.
        dopo = (cognome, nome, relazione, email or tutore.email, telefono or tutore.telefono)
        if (tutore.cognome, tutore.nome, tutore.relazione, tutore.email, tutore.telefono) != dopo:
            tutore.cognome, tutore.nome, tutore.relazione, tutore.email, tutore.telefono = dopo
            cambiati.append(tutore)
            esito.conta("tutori", "aggiornati")
        else:
            esito.conta("tutori", "invariati")
    Tutore.objects.bulk_create(nuovi, batch_size=BATCH)
    Tutore.objects.bulk_update(cambiati, ["cognome", "nome", "relazione", "email", "telefono"], batch_size=BATCH)
    ctx.consumatori_toccati.update(t.consumatore_id for t in nuovi + cambiati)


def _chiave_tutore(consumatore_id: int, cf: str, cognome: str, nome: str) -> tuple:
    return (consumatore_id, cf) if cf else (consumatore_id, "", cognome.casefold(), nome.casefold())

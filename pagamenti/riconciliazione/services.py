"""Import a flow and match each payment to our receipts; writes only, in one transaction.

What refuses a flow (nothing is imported, every problem is listed): input that is not a valid
FlussoRiversamento, a flow addressed to another ente (istitutoRicevente), an IUV this comune cannot
have issued (length, segregation code, check digits), the same payment (IUV, IUR, transfer index)
twice in one flow. What is imported and shown as an anomaly: totals that do not add up, a payment
with no receipt here, an amount different from the receipt, a revoked payment, an IUV already
reported by another flow; receipts that no flow reports after N days are found by the selectors.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from comuni.models import Comune, User
from pagamenti.models import ConfigurazionePagamenti, Posizione, StatoPosizione
from pagamenti.pagopa.numero_avviso import AUX_DIGIT, is_valid_notice_number

from .flusso import FlussoLetto, FlussoNonValido, PagamentoLetto
from .models import EsitoPagamento, FlussoRendicontazione, PagamentoRendicontato, StatoRiconciliazione

NULLA_IMPORTATO = "Flusso rifiutato, nulla è stato importato: correggere e ricaricare il file."
GIA_IMPORTATO = "Il flusso %(id)s era già stato importato il %(quando)s: nulla è cambiato."
GIA_IMPORTATO_DIVERSO = ("Attenzione: il contenuto è diverso da quello importato allora; per una nuova versione il "
                         "PSP deve inviare un flusso con un nuovo identificativo.")
ENTE_DIVERSO = "Il flusso è intestato all'ente %(ricevuto)s, non al %(comune)s (%(cf)s)."
IUV_NON_NOSTRO = ("Pagamento n. %(n)s: lo IUV «%(iuv)s» non è stato emesso da questo comune "
                  "(17 cifre, codice di segregazione %(segregazione)s, cifre di controllo).")
DUPLICATO = "Pagamenti n. %(primo)s e n. %(n)s: stesso IUV %(iuv)s, IUR %(iur)s e indice %(indice)s (duplicato)."
TOTALE_NUMERO = "numeroTotalePagamenti dichiara %(dichiarato)s pagamenti, il flusso ne contiene %(calcolato)s."
TOTALE_IMPORTO = "importoTotalePagamenti dichiara %(dichiarato)s €, la somma dei pagamenti è %(calcolato)s €."
ALTRI_ERRORI = "… e altri %(n)s errori."
MAX_ERRORI = 50
IN_CHUNK = 10_000


def errori_troncati(errori: list[str]) -> list[str]:
    """At most MAX_ERRORI lines on a page, then how many more there are."""
    if len(errori) <= MAX_ERRORI:
        return errori
    return [*errori[:MAX_ERRORI], _(ALTRI_ERRORI) % {"n": len(errori) - MAX_ERRORI}]


@dataclass
class EsitoImport:
    flusso: FlussoRendicontazione | None = None
    creato: bool = False
    errori: list[str] = field(default_factory=list)
    avvisi: list[str] = field(default_factory=list)

    @property
    def importato(self) -> bool:
        return self.flusso is not None and not self.errori


def impronta_of(contenuto: bytes) -> str:
    return hashlib.sha256(contenuto).hexdigest()


def _iuv_is_ours(iuv: str, segregazione: str | None) -> bool:
    if segregazione is not None and not iuv.startswith(segregazione):
        return False
    return is_valid_notice_number(AUX_DIGIT + iuv)


def flusso_check(*, comune: Comune, flusso: FlussoLetto) -> list[str]:
    """Every reason to refuse the flow for this comune (empty: it may be imported)."""
    errori: list[str] = []
    if flusso.ente_ricevente != comune.codice_fiscale:
        errori.append(_(ENTE_DIVERSO) % {"ricevuto": flusso.ente_ricevente, "comune": comune,
                                         "cf": comune.codice_fiscale})
    segregazione = (ConfigurazionePagamenti.objects.filter(comune=comune)
                    .values_list("codice_segregazione", flat=True).first())
    visti: dict[tuple[str, str, int], int] = {}
    for pagamento in flusso.pagamenti:
        if not _iuv_is_ours(pagamento.iuv, segregazione):
            errori.append(_(IUV_NON_NOSTRO) % {"n": pagamento.progressivo, "iuv": pagamento.iuv,
                                               "segregazione": segregazione or "?"})
        chiave = (pagamento.iuv, pagamento.iur, pagamento.indice)
        if chiave in visti:
            errori.append(_(DUPLICATO) % {"primo": visti[chiave], "n": pagamento.progressivo, "iuv": pagamento.iuv,
                                          "iur": pagamento.iur, "indice": pagamento.indice})
        else:
            visti[chiave] = pagamento.progressivo
    return errori


def _totali(flusso: FlussoLetto) -> tuple[int, Decimal]:
    return len(flusso.pagamenti), sum((p.importo for p in flusso.pagamenti), Decimal("0.00"))


def totali_avvisi(*, numero_dichiarato: int, importo_dichiarato: Decimal, numero_calcolato: int,
                  importo_calcolato: Decimal) -> list[str]:
    avvisi = []
    if numero_dichiarato != numero_calcolato:
        avvisi.append(_(TOTALE_NUMERO) % {"dichiarato": numero_dichiarato, "calcolato": numero_calcolato})
    if importo_dichiarato != importo_calcolato:
        avvisi.append(_(TOTALE_IMPORTO) % {"dichiarato": importo_dichiarato, "calcolato": importo_calcolato})
    return avvisi


def classify(*, comune: Comune, flusso_id: int | None, righe: list[PagamentoLetto | PagamentoRendicontato]
             ) -> dict[tuple[str, str, int], tuple[str, int | None]]:
    """(IUV, IUR, index) -> (reconciliation state, our position id), for the rows of one flow.

    The transfers of one payment share its IUV: their sum is compared with the position's amount.
    Two queries per 10,000 IUVs.
    """
    per_iuv: dict[str, list] = defaultdict(list)
    for riga in righe:
        per_iuv[riga.iuv].append(riga)
    posizioni: dict[str, tuple] = {}
    gia_rendicontati: set[str] = set()
    iuvs = list(per_iuv)
    for start in range(0, len(iuvs), IN_CHUNK):  # SQLite (make run) caps the parameters of one query
        chunk = iuvs[start:start + IN_CHUNK]
        posizioni.update(
            (iuv, (pk, stato, importo)) for pk, iuv, stato, importo in
            Posizione.objects.filter(comune=comune, iuv__in=chunk).values_list("pk", "iuv", "stato", "importo"))
        earlier = PagamentoRendicontato.objects.filter(comune=comune, iuv__in=chunk).exclude(
            esito=EsitoPagamento.REVOCATO)
        if flusso_id is not None:
            earlier = earlier.filter(flusso_id__lt=flusso_id)
        gia_rendicontati.update(earlier.values_list("iuv", flat=True).distinct())
    risultato: dict[tuple[str, str, int], tuple[str, int | None]] = {}
    for iuv, gruppo in per_iuv.items():
        pk, stato_posizione, importo_posizione = posizioni.get(iuv, (None, None, None))
        valide = [r for r in gruppo if r.esito != EsitoPagamento.REVOCATO]
        totale = sum((r.importo for r in valide), Decimal("0.00"))
        if iuv in gia_rendicontati:
            stato = StatoRiconciliazione.DOPPIO
        elif stato_posizione != StatoPosizione.PAGATA:
            stato = StatoRiconciliazione.SENZA_RICEVUTA
        elif totale != importo_posizione:
            stato = StatoRiconciliazione.IMPORTO_DIVERSO
        else:
            stato = StatoRiconciliazione.RICONCILIATO
        for riga in gruppo:
            risultato[(riga.iuv, riga.iur, riga.indice)] = (
                StatoRiconciliazione.REVOCATO if riga.esito == EsitoPagamento.REVOCATO else stato, pk)
    return risultato


def flusso_import(*, comune: Comune, flusso: FlussoLetto, origine: str, impronta: str, nome_file: str = "",
                  utente: User | None = None) -> EsitoImport:
    """Store a flow once and classify its payments; a flow already imported changes nothing."""
    esistente = FlussoRendicontazione.objects.filter(comune=comune, identificativo=flusso.identificativo).first()
    if esistente is not None:
        return _gia_importato(esistente, impronta)
    errori = flusso_check(comune=comune, flusso=flusso)
    if errori:
        return EsitoImport(errori=errori_troncati(errori))
    numero, importo = _totali(flusso)
    try:
        with transaction.atomic():
            stored = FlussoRendicontazione.objects.create(
                comune=comune, identificativo=flusso.identificativo, revisione=flusso.revisione,
                data_ora_flusso=flusso.data_ora_flusso, identificativo_regolamento=flusso.identificativo_regolamento,
                data_regolamento=flusso.data_regolamento, psp_id=flusso.psp_id, psp_nome=flusso.psp_nome[:70],
                codice_bic=flusso.codice_bic, ente_ricevente=flusso.ente_ricevente,
                numero_dichiarato=flusso.numero_dichiarato, importo_dichiarato=flusso.importo_dichiarato,
                numero_calcolato=numero, importo_calcolato=importo, origine=origine, nome_file=nome_file[:200],
                impronta=impronta, importato_da=utente,
            )
            stati = classify(comune=comune, flusso_id=stored.pk, righe=flusso.pagamenti)
            PagamentoRendicontato.objects.bulk_create([
                PagamentoRendicontato(
                    comune=comune, flusso=stored, posizione_id=stati[(p.iuv, p.iur, p.indice)][1],
                    progressivo=p.progressivo, iuv=p.iuv, iur=p.iur, indice=p.indice, importo=p.importo,
                    esito=p.esito, data_esito=p.data_esito, stato=stati[(p.iuv, p.iur, p.indice)][0],
                ) for p in flusso.pagamenti
            ], batch_size=2000)
            stored.anomalie = sum(1 for stato, _pk in stati.values() if stato != StatoRiconciliazione.RICONCILIATO)
            stored.save(update_fields=["anomalie"])
    except IntegrityError:
        # Another worker imported the same flow at the same moment.
        esistente = FlussoRendicontazione.objects.filter(comune=comune, identificativo=flusso.identificativo).first()
        if esistente is None:
            raise
        return _gia_importato(esistente, impronta)
    avvisi = totali_avvisi(numero_dichiarato=stored.numero_dichiarato, importo_dichiarato=stored.importo_dichiarato,
                           numero_calcolato=numero, importo_calcolato=importo)
    return EsitoImport(flusso=stored, creato=True, avvisi=avvisi)


def _gia_importato(esistente: FlussoRendicontazione, impronta: str) -> EsitoImport:
    avvisi = [_(GIA_IMPORTATO) % {"id": esistente.identificativo,
                                  "quando": f"{esistente.importato_il:%d/%m/%Y %H:%M}"}]
    if esistente.impronta != impronta:
        avvisi.append(_(GIA_IMPORTATO_DIVERSO))
    return EsitoImport(flusso=esistente, creato=False, avvisi=avvisi)


def flusso_import_xml(*, comune: Comune, contenuto: bytes, origine: str, nome_file: str = "",
                      utente: User | None = None) -> EsitoImport:
    """Parse an XML FlussoRiversamento and import it; bad XML answers with its list of errors."""
    from .xml import flusso_from_xml

    try:
        flusso = flusso_from_xml(contenuto)
    except FlussoNonValido as error:
        return EsitoImport(errori=error.errori)
    return flusso_import(comune=comune, flusso=flusso, origine=origine, impronta=impronta_of(contenuto),
                         nome_file=nome_file, utente=utente)


@transaction.atomic
def rendicontazione_rematch(*, comune: Comune) -> int:
    """Classify again the payments still waiting for a receipt (it may have arrived since)."""
    aperti = list(PagamentoRendicontato.objects.filter(comune=comune, stato=StatoRiconciliazione.SENZA_RICEVUTA)
                  .values_list("flusso_id", flat=True).distinct())
    cambiati = 0
    for flusso_id in aperti:
        righe = list(PagamentoRendicontato.objects.select_for_update().filter(flusso_id=flusso_id))
        stati = classify(comune=comune, flusso_id=flusso_id, righe=righe)
        da_salvare = []
        for riga in righe:
            stato, posizione_id = stati[(riga.iuv, riga.iur, riga.indice)]
            if (stato, posizione_id) != (riga.stato, riga.posizione_id):
                riga.stato, riga.posizione_id = stato, posizione_id
                da_salvare.append(riga)
        PagamentoRendicontato.objects.bulk_update(da_salvare, ["stato", "posizione"])
        cambiati += len(da_salvare)
        anomalie = PagamentoRendicontato.objects.filter(flusso_id=flusso_id).aggregate(
            n=Count("pk", filter=~Q(stato=StatoRiconciliazione.RICONCILIATO)))["n"]
        FlussoRendicontazione.objects.filter(pk=flusso_id).update(anomalie=anomalie)
    return cambiati

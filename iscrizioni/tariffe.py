"""THE tariff rule: a child's tariff for a service and a school year, computed in one place.

ISEE bracket (mensa.Tariffa isee_da/isee_a, trasporto.FasciaIsee), no ISEE = the highest tariff;
the comune's sibling rule (RegolaFratelli) among the children sharing a guardian enrolled in the
same service and year, the eldest first; a staff exemption (Esenzione, with its reason) wins over
everything. A change is applied from a date (the next month) by closing the enrolment the day before
and opening a new one: meals and months already debited stay as they are (the ledger is append-only).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from comuni.models import Comune
from consumatori.models import AnnoScolastico, Consumatore, Tutore
from mensa.models import IscrizioneMensa, Tariffa
from mensa.prezzi import prezzi_del_giorno
from pagamenti.models import Servizio
from trasporto.models import FasciaIsee, Iscrizione

from .models import Esenzione, RegolaFratelli, SituazioneIsee

NESSUNA_TARIFFA_MENSA_ERROR = _("Il comune non ha ancora tariffe della mensa con un importo: inseriscile prima.")
ZERO = Decimal("0")
ISEE_REGISTRATO = object()  # tariffa_calcola reads the SituazioneIsee recorded for the year


def euro(value: Decimal) -> str:
    """"8.500,00 €", as amounts read in Italian."""
    return f"{value:,.2f} €".replace(",", "_").replace(".", ",").replace("_", ".")


@dataclass(frozen=True)
class TariffaCalcolata:
    servizio: str
    isee: Decimal | None
    rango: int  # 1 = the eldest enrolled child of the family (full price)
    riduzione: Decimal  # sibling reduction, percent
    esente: bool = False
    motivo_esenzione: str = ""
    tariffa_mensa: Tariffa | None = None  # the ISEE bracket tariff, before the sibling reduction
    fascia: FasciaIsee | None = None  # the bus ISEE bracket; None = full tariff

    @property
    def descrizione(self) -> str:
        if self.esente:
            return f"Esente: {self.motivo_esenzione}"
        base = self.tariffa_mensa.nome if self.tariffa_mensa else (self.fascia.nome if self.fascia else "tariffa piena")
        isee = "ISEE non presentato" if self.isee is None else f"ISEE {euro(self.isee)}"
        fratelli = f", {self.rango}° figlio −{self.riduzione.normalize():f} %" if self.riduzione else ""
        return f"{base} ({isee}{fratelli})"

    @property
    def descrizione_messaggio(self) -> str:
        """For messages that also go by e-mail: the tariff, never the ISEE value or an exemption's reason."""
        if self.esente:
            return "Esente"
        base = self.tariffa_mensa.nome if self.tariffa_mensa else (self.fascia.nome if self.fascia else "tariffa piena")
        return f"{base}, {self.rango}° figlio −{self.riduzione.normalize():f} %" if self.riduzione else base


@dataclass
class ContestoTariffe:
    """A comune's tariff tables read once (3–4 queries), for one computation or a thousand."""

    comune: Comune
    giorno: datetime.date
    tariffe_mensa: list[Tariffa] = field(default_factory=list)
    prezzi: dict[int, Decimal] = field(default_factory=dict)
    fasce: list[FasciaIsee] = field(default_factory=list)
    regole: dict[str, RegolaFratelli] = field(default_factory=dict)

    @classmethod
    def load(cls, *, comune: Comune, giorno: datetime.date) -> ContestoTariffe:
        return cls(
            comune=comune, giorno=giorno,
            tariffe_mensa=list(Tariffa.objects.filter(comune=comune, esenzione=False, riduzione_fratelli=False,
                                                      tariffa_base__isnull=True).order_by("nome")),
            prezzi=prezzi_del_giorno(comune=comune, giorno=giorno),
            fasce=list(FasciaIsee.objects.filter(comune=comune).order_by("isee_da")),
            regole={r.servizio: r for r in RegolaFratelli.objects.filter(comune=comune)},
        )

    def tariffa_mensa_per(self, isee: Decimal | None) -> Tariffa:
        priced = [t for t in self.tariffe_mensa if t.pk in self.prezzi]
        if not priced:
            raise ValidationError(NESSUNA_TARIFFA_MENSA_ERROR)
        if isee is not None:
            matching = [t for t in priced if _in_bracket(isee, t.isee_da, t.isee_a) and
                        (t.isee_da is not None or t.isee_a is not None)]
            if matching:
                return max(matching, key=lambda t: (t.isee_da or ZERO, -self.prezzi[t.pk]))
        # "Non presento l'ISEE", or an ISEE above every bracket: the highest tariff.
        return max(priced, key=lambda t: (self.prezzi[t.pk], t.nome))

    def fascia_per(self, isee: Decimal | None) -> FasciaIsee | None:
        if isee is None:
            return None
        matching = [f for f in self.fasce if _in_bracket(isee, f.isee_da, f.isee_a)]
        return max(matching, key=lambda f: f.isee_da) if matching else None

    def riduzione(self, servizio: str, rango: int) -> Decimal:
        regola = self.regole.get(servizio)
        return regola.riduzione(rango) if regola else ZERO


def _in_bracket(value: Decimal, da: Decimal | None, a: Decimal | None) -> bool:
    return (da is None or da <= value) and (a is None or value <= a)


def _iscritto_q(servizio: str, anno: AnnoScolastico, exclude_pk: int | None = None) -> Q:
    """Consumers enrolled in the service on some day of the school year."""
    if servizio == Servizio.MENSA:
        rows = IscrizioneMensa.objects.filter(consumatore=OuterRef("pk"), data_inizio__lte=anno.data_fine).filter(
            Q(data_fine__isnull=True) | Q(data_fine__gte=anno.data_inizio))
    else:
        rows = Iscrizione.objects.filter(consumatore=OuterRef("pk"), data_inizio__lte=anno.data_fine,
                                         data_fine__gte=anno.data_inizio)
    return Q(Exists(rows))


def fratelli_of(*, consumatore: Consumatore) -> Q:
    """The other children sharing a guardian with this one (same account or same codice fiscale)."""
    tutori = Tutore.objects.filter(consumatore_id=consumatore.pk)
    stessi = Tutore.objects.filter(consumatore=OuterRef("pk")).filter(
        Q(utente_id__in=tutori.filter(utente__isnull=False).values("utente_id"))
        | Q(codice_fiscale__in=tutori.exclude(codice_fiscale="").values("codice_fiscale"))
    )
    return Q(Exists(stessi)) & ~Q(pk=consumatore.pk) & Q(comune_id=consumatore.comune_id)


def rango_fratello(*, consumatore: Consumatore, servizio: str, anno_scolastico: AnnoScolastico) -> int:
    """The child's place among the siblings enrolled in the service that year, eldest first (1 query)."""
    fratelli = Consumatore.objects.filter(fratelli_of(consumatore=consumatore)).filter(
        _iscritto_q(servizio, anno_scolastico)
    ).values_list("pk", "data_nascita")
    key = (consumatore.data_nascita, consumatore.pk)
    return 1 + sum(1 for pk, nascita in fratelli if (nascita, pk) < key)


def tariffa_calcola(
    *,
    consumatore: Consumatore,
    servizio: str,
    anno_scolastico: AnnoScolastico,
    contesto: ContestoTariffe | None = None,
    isee: Decimal | None | object = ISEE_REGISTRATO,
) -> TariffaCalcolata:
    """THE tariff of a child for a service and a school year (isee: the declared value; default: the
    recorded SituazioneIsee; None = not presented)."""
    contesto = contesto or ContestoTariffe.load(comune=consumatore.comune, giorno=anno_scolastico.data_inizio)
    if isee is ISEE_REGISTRATO:
        situazione = SituazioneIsee.objects.filter(consumatore=consumatore, anno_scolastico=anno_scolastico).first()
        isee = situazione.isee if situazione else None
    esenzione = Esenzione.objects.filter(
        consumatore=consumatore, anno_scolastico=anno_scolastico, servizio=servizio
    ).first()
    if esenzione is not None:
        return TariffaCalcolata(servizio=servizio, isee=isee, rango=1, riduzione=ZERO, esente=True,
                                motivo_esenzione=esenzione.motivo)
    rango = rango_fratello(consumatore=consumatore, servizio=servizio, anno_scolastico=anno_scolastico)
    riduzione = contesto.riduzione(servizio, rango)
    if servizio == Servizio.MENSA:
        return TariffaCalcolata(servizio=servizio, isee=isee, rango=rango, riduzione=riduzione,
                                tariffa_mensa=contesto.tariffa_mensa_per(isee))
    return TariffaCalcolata(servizio=servizio, isee=isee, rango=rango, riduzione=riduzione,
                            fascia=contesto.fascia_per(isee))

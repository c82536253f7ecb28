"""Reads of menus: the dishes of a day per school level, with variations and a consumer's diets applied.

Every read loads a range of days in a fixed number of queries, whatever the days or the dishes.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, prefetch_related_objects

from comuni.models import Comune
from consumatori.models import Consumatore

from ..calendario import calendari_load, giorni_di_servizio_classe, livelli_con_servizio
from .allergeni import allergene_etichetta, allergene_numero, allergeni_ordinati
from .cicli import settimana_del_ciclo
from .diete import dieta_conflicts
from .models import (
    PORTATE_ORDINE,
    DietaConsumatore,
    PastoInBianco,
    PeriodoMenu,
    Piatto,
    PiattoSostitutivo,
    Portata,
    TipoDieta,
    VariazioneMenu,
    VoceMenu,
)


@dataclass
class PiattoServito:
    portata: str
    piatto: Piatto
    variazione: VariazioneMenu | None = None
    sostituisce: Piatto | None = None  # the menu's dish this one replaces for the consumer's diet
    da_adattare: list[str] = field(default_factory=list)  # what the diet excludes and no substitute covers

    @property
    def portata_etichetta(self) -> str:
        return str(Portata(self.portata).label)

    @property
    def allergeni(self) -> list[str]:
        if self.variazione is not None:
            return list(self.variazione.allergeni)
        return self.piatto.allergeni

    @property
    def allergeni_numeri(self) -> list[int]:
        return [allergene_numero(a) for a in self.allergeni]


@dataclass
class MenuGiorno:
    giorno: datetime.date
    livello: str
    piatti: list[PiattoServito]
    in_bianco: bool = False
    diete: list[TipoDieta] = field(default_factory=list)
    servizio: bool = True  # False: the school calendar has no service that day (holiday, closure): no dishes

    @property
    def allergeni(self) -> list[str]:
        return allergeni_ordinati(a for p in self.piatti for a in p.allergeni)

    @property
    def allergeni_etichette(self) -> list[str]:
        return [allergene_etichetta(a) for a in self.allergeni]


Menu = dict[tuple[str, datetime.date], list[PiattoServito]]


def _days(dal: datetime.date, al: datetime.date) -> list[datetime.date]:
    return [dal + datetime.timedelta(n) for n in range((al - dal).days + 1)]


def menu_load(
    *, comune: Comune, dal: datetime.date, al: datetime.date, livelli: list[str] | None = None, prefetch: bool = True
) -> Menu:
    """The dishes of every day in [dal, al] per school level, day variations applied: 4 queries
    (periods, courses, variations, ingredients; 3 with prefetch=False for the caller to prefetch once)."""
    periodi_qs = PeriodoMenu.objects.filter(comune=comune, data_inizio__lte=al, data_fine__gte=dal).select_related(
        "ciclo"
    )
    variazioni_qs = VariazioneMenu.objects.filter(comune=comune, giorno__range=(dal, al)).select_related("piatto")
    if livelli is not None:
        periodi_qs = periodi_qs.filter(livello__in=livelli)
        variazioni_qs = variazioni_qs.filter(livello__in=livelli)
    periodi = list(periodi_qs)
    voci: dict[tuple[int, int, int], list[VoceMenu]] = defaultdict(list)
    if periodi:
        for voce in VoceMenu.objects.filter(ciclo_id__in={p.ciclo_id for p in periodi}).select_related("piatto"):
            voci[voce.ciclo_id, voce.settimana, voce.giorno_settimana].append(voce)
    variazioni = {(v.livello, v.giorno, v.portata): v for v in variazioni_qs}
    menu: Menu = {}
    for periodo in periodi:
        for giorno in _days(max(dal, periodo.data_inizio), min(al, periodo.data_fine)):
            settimana = settimana_del_ciclo(periodo=periodo, settimane=periodo.ciclo.settimane, giorno=giorno)
            piatti = {
                voce.portata: PiattoServito(voce.portata, voce.piatto)
                for voce in voci.get((periodo.ciclo_id, settimana, giorno.weekday()), [])
            }
            if not piatti:
                continue
            menu[periodo.livello, giorno] = list(piatti.values())
    for (livello, giorno, portata), variazione in variazioni.items():
        piatti = menu.setdefault((livello, giorno), [])
        piatti[:] = [p for p in piatti if p.portata != portata]
        piatti.append(PiattoServito(portata, variazione.piatto, variazione=variazione))
    for piatti in menu.values():
        piatti.sort(key=lambda p: PORTATE_ORDINE[p.portata])
    if prefetch:
        _prefetch_ingredienti([p.piatto for piatti in menu.values() for p in piatti])
    return menu


def _prefetch_ingredienti(piatti: list[Piatto]) -> None:
    prefetch_related_objects(piatti, "ingredienti")


def diete_attive_q(dal: datetime.date, al: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}data_inizio__lte": al}) & (
        Q(**{f"{prefix}data_fine__isnull": True}) | Q(**{f"{prefix}data_fine__gte": dal})
    )


def diete_load(*, comune: Comune, dal: datetime.date, al: datetime.date,
               consumatori_ids: list[int] | None = None) -> list[DietaConsumatore]:
    """Diets active in [dal, al], with what they exclude: 2 queries."""
    qs = DietaConsumatore.objects.filter(diete_attive_q(dal, al), comune=comune).select_related("tipo")
    if consumatori_ids is not None:
        qs = qs.filter(consumatore_id__in=consumatori_ids)
    return list(qs.prefetch_related("tipo__ingredienti_esclusi").order_by("tipo__categoria", "tipo__nome"))


def sostituti_load(*, menu: Menu, diete: list[TipoDieta]) -> dict[tuple[int, int], Piatto]:
    """(dish, diet) → substitute for the dishes of this menu: 1 query (none without diets)."""
    piatti_ids = {p.piatto.pk for piatti in menu.values() for p in piatti}
    if not diete or not piatti_ids:
        return {}
    qs = PiattoSostitutivo.objects.filter(dieta_id__in={d.pk for d in diete}, piatto_id__in=piatti_ids)
    return {(s.piatto_id, s.dieta_id): s.sostituto for s in qs.select_related("sostituto")}


def menu_applica_diete(
    piatti: list[PiattoServito], diete: list[TipoDieta], sostituti: dict[tuple[int, int], Piatto]
) -> list[PiattoServito]:
    """The dishes a consumer with these diets eats: each substitute in place of its dish, and what the
    kitchen still has to adapt (a dish holding an excluded allergen that has no substitute)."""
    if not diete:
        return piatti
    result = []
    for servito in piatti:
        piatto = servito.piatto
        sostituto = next((sostituti[piatto.pk, d.pk] for d in diete if (piatto.pk, d.pk) in sostituti), None)
        nuovo = PiattoServito(servito.portata, sostituto or piatto, servito.variazione if sostituto is None else None,
                              sostituisce=piatto if sostituto else None)
        nuovo.da_adattare = [c for d in diete for c in dieta_conflicts(dieta=d, piatto=nuovo.piatto)]
        result.append(nuovo)
    return result


@dataclass
class MenuConsumatore:
    giorni: list[MenuGiorno]
    diete: list[DietaConsumatore]  # active in the period, with their dates

    def diete_del(self, giorno: datetime.date) -> list[DietaConsumatore]:
        return [d for d in self.diete if d.data_inizio <= giorno and (d.data_fine is None or giorno <= d.data_fine)]


def menu_consumatore(
    *, consumatore: Consumatore, dal: datetime.date, al: datetime.date, in_bianco: set[datetime.date] | None = None
) -> MenuConsumatore:
    """The consumer's menu of each day in [dal, al] with their diets applied and "in bianco" days; a day
    the class's calendar has no service (national holiday, patron saint, closures of the comune, the school
    or the class) comes without dishes, `servizio=False`. 8 queries whatever the days (periods, courses,
    variations, diets, excluded ingredients, substitutes, bland meals unless given, ingredients), plus the
    school calendar's two when the process has not read it since it last changed."""
    classe = consumatore.classe
    comune = consumatore.comune
    diete = diete_load(comune=comune, dal=dal, al=al, consumatori_ids=[consumatore.pk])
    if classe is None:
        return MenuConsumatore([], diete)
    livello = classe.scuola.tipo
    servizio = set(giorni_di_servizio_classe(comune=comune, classe=classe, dal=dal, al=al))
    menu = menu_load(comune=comune, dal=dal, al=al, livelli=[livello], prefetch=False)
    senza_servizio = {giorno for (_, giorno) in menu if giorno not in servizio}
    menu = {key: piatti for key, piatti in menu.items() if key[1] in servizio}
    sostituti = sostituti_load(menu=menu, diete=[d.tipo for d in diete])
    if in_bianco is None:
        in_bianco = giorni_in_bianco(consumatore=consumatore, dal=dal, al=al)
    _prefetch_ingredienti(
        [p.piatto for piatti in menu.values() for p in piatti] + list(sostituti.values())
    )
    giorni = []
    for giorno in _days(dal, al):
        if giorno in senza_servizio:
            giorni.append(MenuGiorno(giorno, livello, [], servizio=False))
            continue
        piatti = menu.get((livello, giorno))
        if not piatti:
            continue
        tipi = [d.tipo for d in diete if d.data_inizio <= giorno and (d.data_fine is None or giorno <= d.data_fine)]
        giorni.append(MenuGiorno(giorno, livello, menu_applica_diete(piatti, tipi, sostituti),
                                 in_bianco=giorno in in_bianco, diete=tipi))
    return MenuConsumatore(giorni, diete)


def settimana_di(giorno: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Monday and Saturday of the week of `giorno`."""
    lunedi = giorno - datetime.timedelta(giorno.weekday())
    return lunedi, lunedi + datetime.timedelta(5)


def giorni_in_bianco(*, consumatore: Consumatore, dal: datetime.date, al: datetime.date) -> set[datetime.date]:
    """Days in [dal, al] with a bland meal asked and not withdrawn: 1 query."""
    return set(
        PastoInBianco.objects.filter(
            consumatore=consumatore, giorno__range=(dal, al), annullato_il__isnull=True
        ).values_list("giorno", flat=True)
    )


@dataclass
class DietaDelGiorno:
    """What one child on a diet (or "in bianco") eats today, for the canteen operators."""

    diete: list[TipoDieta]
    in_bianco: bool
    piatti: list[PiattoServito]

    @property
    def sanitaria(self) -> bool:
        return any(d.sanitaria for d in self.diete)


def diete_del_giorno(
    *, comune: Comune, giorno: datetime.date, consumatori: list[Consumatore]
) -> dict[int, DietaDelGiorno]:
    """Consumer id → diets, "in bianco" and the dishes after substitution, only for the children with
    a diet or a bland meal today: 8 queries at most (diets, excluded ingredients, bland meals, periods,
    courses, variations, substitutes, ingredients), whatever the children."""
    ids = [c.pk for c in consumatori]
    diete = diete_load(comune=comune, dal=giorno, al=giorno, consumatori_ids=ids)
    in_bianco = set(
        PastoInBianco.objects.filter(comune=comune, giorno=giorno, consumatore_id__in=ids, annullato_il__isnull=True)
        .values_list("consumatore_id", flat=True)
    )
    if not diete and not in_bianco:
        return {}
    per_consumatore: dict[int, list[TipoDieta]] = defaultdict(list)
    for dieta in diete:
        per_consumatore[dieta.consumatore_id].append(dieta.tipo)
    livelli = {c.pk: c.classe.scuola.tipo for c in consumatori if c.classe_id}
    menu = menu_load(comune=comune, dal=giorno, al=giorno, livelli=sorted(set(livelli.values())), prefetch=False)
    tipi = list({t.pk: t for tipi in per_consumatore.values() for t in tipi}.values())
    sostituti = sostituti_load(menu=menu, diete=tipi)
    _prefetch_ingredienti([p.piatto for piatti in menu.values() for p in piatti] + list(sostituti.values()))
    result = {}
    for pk in set(per_consumatore) | in_bianco:
        piatti = menu.get((livelli.get(pk), giorno), [])
        result[pk] = DietaDelGiorno(per_consumatore.get(pk, []), pk in in_bianco,
                                    menu_applica_diete(piatti, per_consumatore.get(pk, []), sostituti))
    return result


@dataclass
class SettimanaLivello:
    """One school level's menu over some days, for the public page and the printable month: each day with
    its dishes, or with None when no school of the level has service that day."""

    livello: str
    etichetta: str
    giorni: list[tuple[datetime.date, list[PiattoServito] | None]]


def menu_pubblico(*, comune: Comune, dal: datetime.date, al: datetime.date) -> list[SettimanaLivello]:
    """Every school level's menu in [dal, al], levels in school order: 6 queries (menu, calendars, closures).

    Read without a child, a day of a level is without service when none of the level's schools has service
    that day by its calendar (national holiday, patron saint, closures of the comune or of the school): a
    closure of one school leaves the level's menu up for the others; a single class's closure never hides it."""
    from consumatori.models import TipoScuola

    menu = menu_load(comune=comune, dal=dal, al=al)
    calendari = calendari_load(comune=comune, dal=dal, al=al)
    servizio = {giorno: livelli_con_servizio(calendari, giorno) for giorno in _days(dal, al)}
    result = []
    for livello, etichetta in TipoScuola.choices:
        giorni = [(giorno, menu[livello, giorno] if livello in servizio[giorno] else None)
                  for giorno in _days(dal, al) if (livello, giorno) in menu]
        if giorni:
            result.append(SettimanaLivello(livello, str(etichetta), giorni))
    return result


def legenda_allergeni() -> list[tuple[int, str]]:
    from .allergeni import Allergene

    return [(allergene_numero(code), str(label)) for code, label in Allergene.choices]

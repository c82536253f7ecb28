"""Demo school bus of a comune: two routes with ordered stops, the notice's tariffs, enrolments of
some children (the first demo family included), a driver account and, in Leporano, the April 2026
fee debited once (transport payments start on 1 April 2026 there)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from comuni.models import Comune
from consumatori.models import AnnoScolastico, Consumatore, Scuola
from trasporto.models import FasciaIsee, Fermata, ImpostazioniTrasporto, Iscrizione, Linea, Percorso, TariffaTrasporto
from trasporto.services import iscrizione_create, mensilita_debit

DEMO_PASSWORD_BUS = "Bus-2026"
ANNO_PRECEDENTE = ("2025/26", datetime.date(2025, 9, 15), datetime.date(2026, 6, 10))
MESE_ADDEBITATO = "2026-04"

# (route name, vehicle, driver, phone, [(stop, address, pick-up, drop-off), ...]) per comune.
LINEE = {
    "leporano": [
        ("Linea 1 – Gandoli", "Scuolabus TA 512 LP", "Cosimo Cito", "333 1200001", [
            ("Gandoli", "Via Gandoli, 2", "07:25", "14:05"),
            ("Piazza Castello", "Piazza Castello", "07:35", "13:55"),
            ("Via Aldo Moro", "Via Aldo Moro, 30", "07:42", "13:48"),
            ("Via Pitagora", "Via Pitagora, 3", "07:50", "13:40"),
        ]),
        ("Linea 2 – Lido Silvana", "Scuolabus TA 513 LP", "Angelo Fanelli", "333 1200002", [
            ("Lido Silvana", "Via Lido Silvana", "07:20", "14:10"),
            ("Saturo", "Via Saturo, 11", "07:30", "14:00"),
            ("Via Taranto", "Via Taranto, 40", "07:45", "13:45"),
        ]),
    ],
    "pulsano": [
        ("Linea 1 – Marina di Pulsano", "Scuolabus TA 701 PU", "Vito Semeraro", "333 1300001", [
            ("Montedarena", "Via Montedarena", "07:20", "14:10"),
            ("Via Marina", "Via Marina, 21", "07:32", "13:58"),
            ("Piazza Castello", "Piazza Castello", "07:45", "13:45"),
        ]),
        ("Linea 2 – Luogovivo", "Scuolabus TA 702 PU", "Franco Colucci", "333 1300002", [
            ("Luogovivo", "Contrada Luogovivo", "07:25", "14:05"),
            ("Via Lecce", "Via Lecce, 7", "07:38", "13:52"),
            ("Via Roma", "Via Roma, 88", "07:48", "13:42"),
        ]),
    ],
}
ISCRITTI = 12


def _time(value: str) -> datetime.time:
    return datetime.datetime.strptime(value, "%H:%M").time()


def _linee(comune: Comune, anno: AnnoScolastico, scuole: list[Scuola], accompagnatore) -> list[Linea]:
    linee = []
    for n, (nome, mezzo, autista, telefono, fermate) in enumerate(LINEE[comune.slug]):
        linea, _ = Linea.objects.update_or_create(
            comune=comune, anno_scolastico=anno, nome=nome,
            defaults={"mezzo": mezzo, "autista": autista, "telefono_autista": telefono},
        )
        linea.scuole.set(scuole)
        if n == 0:
            linea.accompagnatori.add(accompagnatore)
        for ordine, (fermata, indirizzo, andata, ritorno) in enumerate(fermate, start=1):
            Fermata.objects.update_or_create(
                comune=comune, linea=linea, ordine=ordine,
                defaults={"nome": fermata, "indirizzo": indirizzo, "ora_andata": _time(andata),
                          "ora_ritorno": _time(ritorno)},
            )
        linee.append(linea)
    return linee


def _tariffe(comune: Comune) -> tuple[FasciaIsee, FasciaIsee]:
    bassa, _ = FasciaIsee.objects.get_or_create(
        comune=comune, nome="ISEE fino a 8.000 €", defaults={"isee_da": Decimal("0"), "isee_a": Decimal("8000")}
    )
    media, _ = FasciaIsee.objects.get_or_create(
        comune=comune, nome="ISEE da 8.000,01 a 15.000 €",
        defaults={"isee_da": Decimal("8000.01"), "isee_a": Decimal("15000")},
    )
    dal = datetime.date(2025, 9, 1)
    for percorso, fascia, importo in [
        (Percorso.ANDATA_RITORNO, None, "25.00"), (Percorso.SOLO_ANDATA, None, "15.00"),
        (Percorso.SOLO_RITORNO, None, "15.00"), (Percorso.ANDATA_RITORNO, bassa, "12.50"),
        (Percorso.ANDATA_RITORNO, media, "18.00"),
    ]:
        TariffaTrasporto.objects.get_or_create(
            comune=comune, percorso=percorso, fascia=fascia, valido_dal=dal,
            defaults={"importo_mensile": Decimal(importo), "riduzione_fratelli": Decimal("20")},
        )
    return bassa, media


def _iscrivi(consumatori: list[Consumatore], linee: list[Linea], anno: AnnoScolastico, inizio: datetime.date,
             fasce: tuple[FasciaIsee, FasciaIsee]) -> None:
    for n, consumatore in enumerate(consumatori):
        linea = linee[0] if n < 6 else linee[1]
        if Iscrizione.objects.filter(consumatore=consumatore, linea=linea).exists():
            continue
        fermate = list(linea.fermate.order_by("ordine"))
        extra = {}
        if n == 1:
            extra = {"riduzione_fratelli": True}  # the first family's second child
        elif n == 2:
            extra = {"percorso": Percorso.SOLO_ANDATA}
        elif n == 3:
            extra = {"esente": True, "note": "Esenzione per disabilità"}
        elif n == 4:
            extra = {"fascia": fasce[0]}
        elif n == 5:
            extra = {"fascia": fasce[1]}
        elif n >= 6 and n % 4 == 0:
            extra = {"percorso": Percorso.SOLO_RITORNO}
        iscrizione_create(consumatore=consumatore, linea=linea, fermata=fermate[n % len(fermate)],
                          data_inizio=max(inizio, anno.data_inizio), data_fine=anno.data_fine, **extra)


def seed_trasporto(*, comune: Comune, anno: AnnoScolastico, scuole: list[Scuola]) -> list:
    """Create or refresh the comune's demo bus; returns the driver's DemoLogin."""
    from .services import DemoLogin, _account

    ImpostazioniTrasporto.objects.get_or_create(comune=comune)
    fasce = _tariffe(comune)
    email = f"accompagnatore.bus@{comune.slug}.example"
    accompagnatore = _account(email, DEMO_PASSWORD_BUS, first_name="Accompagnatore", last_name=f"Bus {comune.nome}")
    # The first consumers are the first demo families' children (created first).
    consumatori = list(Consumatore.objects.filter(comune=comune).order_by("pk")[:ISCRITTI])
    attivazione = comune.data_attivazione_trasporto
    if attivazione is not None and attivazione < anno.data_inizio:
        # Transport payments started during the previous school year (Leporano: April 2026).
        nome, inizio, fine = ANNO_PRECEDENTE
        precedente, _ = AnnoScolastico.objects.get_or_create(
            comune=comune, nome=nome, defaults={"data_inizio": inizio, "data_fine": fine}
        )
        linee = _linee(comune, precedente, scuole, accompagnatore)
        _iscrivi(consumatori[:3], linee, precedente, attivazione, fasce)
        mensilita_debit(comune=comune, mese=MESE_ADDEBITATO)
    linee = _linee(comune, anno, scuole, accompagnatore)
    _iscrivi(consumatori, linee, anno, anno.data_inizio, fasce)
    return [DemoLogin("accompagnatore scuolabus", comune.nome, email, DEMO_PASSWORD_BUS,
                      f"/login/{comune.slug}/ → /{comune.slug}/trasporto/bordo/")]

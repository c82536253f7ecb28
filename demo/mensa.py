"""The canteen part of the demo: calendar 2026/27, tariffs, enrolments, opening balances, a few absences.

Called at the end of `_seed_comune` (scopes are disabled there); idempotent like the rest of the seed.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from comuni.models import Comune
from consumatori.models import AnnoScolastico, Consumatore, Scuola, TipoScuola, Tutore
from mensa.calendario import calendari_load, giorno_di_servizio
from mensa.models import Assenza, Calendario, CalendarioScuola, Chiusura, IscrizioneMensa, PrezzoTariffa, Tariffa
from pagamenti.models import Servizio, TipoMovimento
from pagamenti.services import movimento_register

# Plausible demo values: the patron saint's feast falls on a school day, so the calendar shows it.
PATRONI = {
    "leporano": ("San Biagio", datetime.date(2027, 2, 3)),
    "pulsano": ("San Trifone", datetime.date(2026, 11, 10)),
}
CHIUSURE = [
    ("Commemorazione dei defunti", datetime.date(2026, 11, 2), datetime.date(2026, 11, 2)),
    ("Vacanze di Natale", datetime.date(2026, 12, 23), datetime.date(2027, 1, 6)),
    ("Vacanze di Pasqua", datetime.date(2027, 3, 25), datetime.date(2027, 3, 30)),
]
TARIFFE = [
    # nome, importo, isee_da, isee_a, riduzione fratelli, esenzione
    ("Tariffa intera", Decimal("4.10"), None, None, False, False),
    ("Fascia ISEE 1 (fino a 7.500 €)", Decimal("2.00"), Decimal("0"), Decimal("7500"), False, False),
    ("Fascia ISEE 2 (fino a 15.000 €)", Decimal("3.00"), Decimal("7500.01"), Decimal("15000"), False, False),
    ("Riduzione secondo figlio", Decimal("3.50"), None, None, True, False),
    ("Esenzione", Decimal("0.00"), None, None, False, True),
]


def _calendar(comune: Comune, anno: AnnoScolastico, scuole: dict[str, Scuola]) -> None:
    santo, festa = PATRONI.get(comune.slug, ("", None))
    calendario, _ = Calendario.objects.update_or_create(
        comune=comune, anno_scolastico=anno, defaults={"santo_patrono": santo, "festa_patronale": festa}
    )
    for tipo, scuola in scuole.items():
        # The infanzia serves from the first week; the secondaria only on its two long days.
        inizio = anno.data_inizio if tipo == TipoScuola.INFANZIA else datetime.date(2026, 9, 21)
        fine = datetime.date(2027, 6, 30) if tipo == TipoScuola.INFANZIA else datetime.date(2027, 6, 4)
        lunghi = tipo != TipoScuola.SECONDARIA
        CalendarioScuola.objects.update_or_create(
            calendario=calendario, scuola=scuola,
            defaults={"comune": comune, "data_inizio": inizio, "data_fine": fine, "lunedi": True,
                      "martedi": lunghi, "mercoledi": True, "giovedi": lunghi, "venerdi": lunghi},
        )
    for motivo, dal, al in CHIUSURE:
        Chiusura.objects.get_or_create(comune=comune, motivo=motivo, data_inizio=dal, data_fine=al)


def _tariffe(comune: Comune, anno: AnnoScolastico) -> dict[str, Tariffa]:
    tariffe = {}
    for nome, importo, isee_da, isee_a, fratelli, esenzione in TARIFFE:
        tariffa, _ = Tariffa.objects.update_or_create(
            comune=comune, nome=nome,
            defaults={"isee_da": isee_da, "isee_a": isee_a, "riduzione_fratelli": fratelli, "esenzione": esenzione},
        )
        PrezzoTariffa.objects.update_or_create(
            tariffa=tariffa, valido_dal=anno.data_inizio, defaults={"comune": comune, "importo": importo}
        )
        tariffe[nome] = tariffa
    return tariffe


def seed_mensa(*, comune: Comune, anno: AnnoScolastico, scuole: dict[str, Scuola]) -> None:
    """Calendar, tariffs, enrolment of every demo consumer, opening balances and a few absences."""
    rng = random.Random(f"omnibus-mensa-{comune.slug}")
    _calendar(comune, anno, scuole)
    tariffe = _tariffe(comune, anno)
    consumatori = list(Consumatore.objects.filter(comune=comune).order_by("pk"))
    with_account = set(
        Tutore.objects.filter(comune=comune, utente__isnull=False).values_list("consumatore_id", flat=True)
    )
    famiglia_demo = [c for c in consumatori if c.pk in with_account]
    valuta = max(comune.data_attivazione_mensa or anno.data_inizio, anno.data_inizio) - datetime.timedelta(1)
    for index, consumatore in enumerate(consumatori):
        if consumatore.pk in with_account:
            nome_tariffa = "Tariffa intera"
        else:
            nome_tariffa = rng.choices([t[0] for t in TARIFFE], weights=[70, 10, 10, 5, 5])[0]
        IscrizioneMensa.objects.get_or_create(
            comune=comune, consumatore=consumatore, data_inizio=anno.data_inizio,
            defaults={"tariffa": tariffe[nome_tariffa]},
        )
        saldo = _saldo_iniziale(rng, index, consumatore, famiglia_demo)
        if saldo:
            movimento_register(
                consumatore=consumatore, servizio=Servizio.MENSA, tipo=TipoMovimento.SALDO_INIZIALE, importo=saldo,
                data_valuta=valuta, chiave="saldo_iniziale", descrizione="Saldo riportato dal sistema precedente",
            )
    _absences(comune, rng, consumatori)


def _saldo_iniziale(rng: random.Random, index: int, consumatore: Consumatore, famiglia: list) -> Decimal | None:
    if consumatore in famiglia:
        # The demo family: a credit, one child a meal in debit (the next debit brings the 2-meal warning).
        position = famiglia.index(consumatore)
        return [Decimal("30.00"), Decimal("-4.10"), Decimal("12.00"), Decimal("50.00")][position % 4]
    roll = rng.random()
    if roll < 0.5:
        return Decimal(rng.randrange(10, 80)).quantize(Decimal("0.01"))
    if roll < 0.6:
        return -Decimal("4.10") * rng.randint(1, 4)
    return None


def _absences(comune: Comune, rng: random.Random, consumatori: list[Consumatore]) -> None:
    """A few cancellations on the coming service days, recorded by the families (or the office)."""
    today = timezone.localdate()
    giorni = [today + datetime.timedelta(n) for n in range(1, 15)]
    calendari = calendari_load(comune=comune, dal=giorni[0], al=giorni[-1])
    accounts = dict(
        Tutore.objects.filter(comune=comune, utente__isnull=False).values_list("consumatore_id", "utente_id")
    )
    from comuni.models import User

    ufficio = User.objects.filter(email=f"ufficio.scuola@{comune.slug}.example").first()
    for consumatore in rng.sample(consumatori, k=min(8, len(consumatori))):
        classe = consumatore.classe
        cal = calendari.calendario_scuola(scuola_id=classe.scuola_id, anno_scolastico_id=classe.anno_scolastico_id)
        service = [d for d in giorni if giorno_di_servizio(d, cal, calendari.chiusure, classe.pk)]
        registrata_da_id = accounts.get(consumatore.pk) or (ufficio.pk if ufficio else None)
        if not service or registrata_da_id is None:
            continue
        giorno = rng.choice(service)
        if not Assenza.objects.filter(consumatore=consumatore, giorno=giorno, annullata_il__isnull=True).exists():
            Assenza.objects.create(comune=comune, consumatore=consumatore, giorno=giorno,
                                   registrata_il=timezone.now(), registrata_da_id=registrata_da_id)

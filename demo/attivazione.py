"""The third demo comune, Comune di Faggiano, half-way through its switch-over onto Omnibus: created, its school
year, patron saint and canteen tariffs entered, its office account made; the registry not yet imported. Its
old system's export is `demo/faggiano-anagrafe.xlsx` (invented people), with a few deliberate errors, so a
newcomer sees the "Attivazione" checklist and the dry run's messages:

    python manage.py importa_anagrafe faggiano demo/faggiano-anagrafe.xlsx

`python -m demo.attivazione` writes the workbook again (deterministic rows).
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from decimal import Decimal
from pathlib import Path

from codicefiscale import codicefiscale
from stdnum.it import codicefiscale as stdnum_cf

from . import data

SLUG = "faggiano"
WORKBOOK = Path(__file__).with_name("faggiano-anagrafe.xlsx")
COMUNE = {
    "nome": "Faggiano", "codice_fiscale": "80009510738", "codice_ipa": "c_d463", "provincia": "TA",
    "indirizzo": "Piazza Municipio, 1", "cap": "74020", "telefono": "099 5911000",
    "email": "ufficioscuola@faggiano.example", "pec": "protocollo.faggiano@pec.example",
    "data_attivazione_mensa": datetime.date(2027, 1, 11),
    "informativa_privacy": "Il Comune di Faggiano, titolare del trattamento, tratta i dati degli alunni e dei "
                           "loro familiari per i servizi di refezione e trasporto scolastico (dati dimostrativi).",
}
SCUOLE = [("TAAA80100A", "Scuola dell'infanzia «Rodari»", "infanzia", "Via Roma, 3"),
          ("TAEE80101B", "Scuola primaria «San Giovanni Bosco»", "primaria", "Via Vittorio Veneto, 20"),
          ("TAMM80102C", "Scuola secondaria di primo grado «Dante Alighieri»", "secondaria", "Via Lecce, 8")]
CLASSI = [("TAAA80100A", None, "A"), ("TAAA80100A", None, "B")] + [
    ("TAEE80101B", anno, "A") for anno in range(1, 6)] + [("TAMM80102C", anno, "A") for anno in range(1, 4)]
TARIFFE = [("Tariffa intera", None, None, "4.00"), ("Fascia ISEE fino a 8.000 €", "0", "8000", "2.20"),
           ("Fascia ISEE 8.000–15.000 €", "8000.01", "15000", "3.10")]


def _cf(rng: random.Random, cognome: str, nome: str, sesso: str, nascita: datetime.date) -> str:
    return codicefiscale.encode(lastname=cognome, firstname=nome, gender=sesso, birthdate=nascita.isoformat(),
                                birthplace="Taranto")


def righe_workbook() -> dict[str, list[list]]:
    """The old system's export: 24 pupils, their parents, canteen enrolments, balances; four deliberate errors."""
    rng = random.Random("omnibus-demo-faggiano")  # noqa: S311 - demo data
    anno = data.ANNO_SCOLASTICO[0]
    righe = {"scuole": [list(s) for s in SCUOLE], "classi": [[cm, anno, a, s] for cm, a, s in CLASSI],
             "alunni": [], "tutori": [], "iscrizioni_mensa": [], "saldi": []}
    for n, cognome in enumerate(rng.sample(data.COGNOMI, 24)):
        cm, classe, sezione = CLASSI[n % len(CLASSI)]
        eta = {"TAAA80100A": 4, "TAEE80101B": 5 + (classe or 0), "TAMM80102C": 10 + (classe or 0)}[cm]
        sesso = rng.choice("MF")
        nome = rng.choice(data.NOMI_M if sesso == "M" else data.NOMI_F)
        nascita = datetime.date(2026 - eta, rng.randint(1, 12), rng.randint(1, 28))
        cf = _cf(rng, cognome, nome, sesso, nascita)
        madre, padre = rng.choice(data.NOMI_GENITORI_F), rng.choice(data.NOMI_GENITORI_M)
        cognome_madre = rng.choice(data.COGNOMI)
        nascita_madre = datetime.date(rng.randint(1978, 1992), rng.randint(1, 12), rng.randint(1, 28))
        cf_madre = _cf(rng, cognome_madre, madre, "F", nascita_madre)
        righe["alunni"].append([cf, cognome, nome, nascita.strftime("%d/%m/%Y"), cm, classe, sezione,
                                f"FAG{n:05d}"])
        locale = unicodedata.normalize("NFKD", f"{madre}.{cognome_madre}").encode("ascii", "ignore").decode()
        email = f"{locale}@faggiano.example".lower().replace("'", "").replace(" ", "")
        righe["tutori"].append([cf, cf_madre, cognome_madre, madre, "genitore", email, f"333 000 {n:04d}"])
        # Every third father is recorded without his codice fiscale: his letter brings a linking code.
        righe["tutori"].append([cf, "" if n % 3 == 0 else _cf(rng, cognome, padre, "M", datetime.date(
            rng.randint(1975, 1990), rng.randint(1, 12), rng.randint(1, 28))), cognome, padre, "genitore", "", ""])
        tariffa = rng.choice(["Tariffa intera", "7.500,00", "12.300,00"])
        righe["iscrizioni_mensa"].append([cf, "11/01/2027", "", tariffa, ""])
        saldo = Decimal(rng.randint(-3000, 4000)) / 100
        righe["saldi"].append([cf, "mensa", f"{saldo:.2f}".replace(".", ",")])
    # The deliberate errors, as old systems' exports have them:
    errato = righe["alunni"][3][0]
    righe["alunni"][3][0] = errato[:15] + ("A" if errato[15] != "A" else "B")  # 1. a wrong check character
    righe["tutori"][6][0] = righe["tutori"][7][0] = righe["alunni"][3][0]
    righe["iscrizioni_mensa"][3][0] = righe["saldi"][3][0] = righe["alunni"][3][0]
    righe["alunni"][7][6] = "D"  # 2. a class the school does not have
    righe["tutori"].append(["", "", "Errico", "Teresa", "tutore", "teresa.errico@faggiano.example", ""])  # 3.
    righe["iscrizioni_mensa"][10][3] = "Tariffa agevolata"  # 4. a tariff that does not exist
    assert stdnum_cf.is_valid(righe["alunni"][0][0])
    return righe


def workbook_write(path: Path = WORKBOOK) -> Path:
    from attivazione.anagrafe.modello import cartella_di_lavoro

    path.write_bytes(cartella_di_lavoro(righe_workbook()))
    return path


def demo_attivazione_seed() -> list:
    """Create or refresh Faggiano half-way through its activation (inside demo_seed's scopes_disabled)."""
    from comuni.models import Comune, Ruolo
    from comuni.services import incarico_assign
    from consumatori.models import AnnoScolastico
    from mensa.models import Calendario, PrezzoTariffa, Tariffa
    from pagamenti.models import ConfigurazionePagamenti, TipoGateway

    from .services import DemoLogin, _account

    comune, _ = Comune.objects.update_or_create(slug=SLUG, defaults=COMUNE)
    nome_anno, inizio, fine = data.ANNO_SCOLASTICO
    anno, _ = AnnoScolastico.objects.update_or_create(comune=comune, nome=nome_anno,
                                                      defaults={"data_inizio": inizio, "data_fine": fine})
    Calendario.objects.update_or_create(comune=comune, anno_scolastico=anno, defaults={
        "santo_patrono": "San Giuseppe", "festa_patronale": datetime.date(2027, 3, 19)})
    for nome, da, a, importo in TARIFFE:
        tariffa, _ = Tariffa.objects.update_or_create(comune=comune, nome=nome, defaults={
            "isee_da": Decimal(da) if da else None, "isee_a": Decimal(a) if a else None})
        PrezzoTariffa.objects.update_or_create(comune=comune, tariffa=tariffa, valido_dal=inizio,
                                               defaults={"importo": Decimal(importo)})
    ConfigurazionePagamenti.objects.update_or_create(comune=comune, defaults={
        "gateway": TipoGateway.SANDBOX, "lis_segreto": "segreto-puntolis-faggiano-demo"})
    ufficio = _account(f"ufficio.scuola@{SLUG}.example", data.DEMO_PASSWORD_STAFF, first_name="Ufficio",
                       last_name="Scuola Faggiano")
    incarico_assign(user=ufficio, comune=comune, ruolo=Ruolo.UFFICIO_SCUOLA)
    # The nightly debit runs for every active comune, Faggiano's still empty canteen included: yesterday's run
    # is recorded as the other comuni's are, so the missed-job watchdog (esercizio.alerts) has nothing to report.
    from django.utils import timezone

    from mensa.addebito import meal_debit_run

    meal_debit_run(comune=comune, giorno=timezone.localdate() - datetime.timedelta(days=1))
    return [DemoLogin("ufficio scuola (attivazione in corso)", comune.nome, ufficio.email, data.DEMO_PASSWORD_STAFF,
                      f"/{SLUG}/ufficio/attivazione/")]


if __name__ == "__main__":
    import django

    django.setup()
    print(workbook_write())

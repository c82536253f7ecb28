"""The switch-over: the registry import of a whole comune, its unchanged re-import, and the families' letters.

- switchover_import_10000_consumers_s: dry run plus apply of 10,000 children, 16,000 guardians, 10,000 canteen
  enrolments and 10,000 opening balances (one XLSX workbook, as the admin page and the command read it);
- switchover_reimport_unchanged_s: the same workbook again, applied: nothing is written;
- family_letters_1000_pdf_s: 1,000 letters (one guardian, one child each) laid out, e-mailed (in-memory
  backend) and joined, by one worker process (attivazione.lettere.lettere_build, as the Esportazione's task
  runs it); family_letters_peak_memory_mb: that process's peak resident memory.
"""

from __future__ import annotations

import datetime
import multiprocessing
import resource
import time
from decimal import Decimal

LETTERE = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MESI = "ABCDEHLMPRST"


def _cf(n: int, anno: int) -> str:
    """A codice fiscale of the right shape with a valid check character, distinct per n (no birthplace decoding)."""
    from stdnum.it import codicefiscale

    lettere = ""
    for _ in range(6):
        n, resto = divmod(n, 26)
        lettere += LETTERE[resto]
    base = f"{lettere}{anno % 100:02d}{MESI[n % 12]}{(n % 28) + 1:02d}L049"
    return base + codicefiscale.calc_check_digit(base)


def _workbook(n_alunni: int) -> bytes:
    from attivazione.anagrafe.modello import cartella_di_lavoro

    classi = [("TAEE00001X", anno, sezione) for anno in range(1, 6) for sezione in "ABCDEFGH"]
    righe = {"scuole": [["TAEE00001X", "Scuola primaria «Bench»", "primaria", ""]],
             "classi": [[cm, "2026/27", anno, sezione] for cm, anno, sezione in classi],
             "alunni": [], "tutori": [], "iscrizioni_mensa": [], "saldi": []}
    for i in range(n_alunni):
        cf = _cf(i, 2017)
        cm, anno, sezione = classi[i % len(classi)]
        righe["alunni"].append([cf, f"Cognome{i}", "Nome", datetime.date(2017, 1 + i % 12, 1 + i % 28), cm, anno,
                                sezione, ""])
        righe["tutori"].append([cf, _cf(i, 1980), f"Cognome{i}", "Madre", "genitore", f"madre{i}@bench.example", ""])
        if i % 5 < 3:  # 16,000 guardians for 10,000 children
            righe["tutori"].append([cf, _cf(i + 5_000_000, 1978), f"Cognome{i}", "Padre", "genitore", "", ""])
        righe["iscrizioni_mensa"].append([cf, "14/09/2026", "", "Tariffa intera" if i % 2 else "9.000,00", ""])
        righe["saldi"].append([cf, "mensa", f"{(i % 50) - 20},50"])
    return cartella_di_lavoro(righe)


def _comune(slug: str, codice_fiscale: str):
    from django_scopes import scope

    from comuni.models import Comune
    from consumatori.models import AnnoScolastico
    from mensa.models import PrezzoTariffa, Tariffa

    comune = Comune.objects.create(nome=slug.title(), slug=slug, codice_fiscale=codice_fiscale, provincia="TA")
    with scope(comune=comune):
        AnnoScolastico.objects.create(comune=comune, nome="2026/27", data_inizio=datetime.date(2026, 9, 14),
                                      data_fine=datetime.date(2027, 6, 9))
        for nome, da, a in (("Tariffa intera", None, None), ("Fascia A", Decimal("0"), Decimal("15000"))):
            tariffa = Tariffa.objects.create(comune=comune, nome=nome, isee_da=da, isee_a=a)
            PrezzoTariffa.objects.create(comune=comune, tariffa=tariffa, valido_dal=datetime.date(2026, 9, 1),
                                         importo=Decimal("4.00"))
    return comune


def _letters_child(comune_id: int, queue) -> None:
    """In a process of its own, as a worker: the peak memory is the letters' alone."""
    from django.conf import settings
    from django.db import connections
    from django_scopes import scope

    from attivazione.lettere import lettere_build
    from comuni.models import Comune, User
    from ufficio.models import Esportazione

    connections.close_all()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    comune = Comune.objects.get(pk=comune_id)
    with scope(comune=comune):
        esportazione = Esportazione.objects.create(comune=comune, report="lettere_famiglie", formato="pdf",
                                                   creato_da=User.objects.first(), parametri={})
        start = time.perf_counter()
        content, _name, parametri = lettere_build(esportazione=esportazione, progress=lambda done, total: None)
        elapsed = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    queue.put((elapsed, usage.ru_maxrss / 1024, parametri["lettere"], len(content), usage.ru_utime + usage.ru_stime))


def run(ctx) -> None:
    from attivazione.anagrafe.importa import anagrafe_importa
    from comuni.models import User

    n = ctx.size(10_000)
    comune = _comune("bench-attivazione", "80009510738")
    workbook = _workbook(n)
    files = [("anagrafe.xlsx", workbook)]
    start, cpu = time.perf_counter(), time.process_time()
    prova = anagrafe_importa(comune=comune, files=files)
    applicato = anagrafe_importa(comune=comune, files=files, applica=True)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert prova.ok and applicato.applicato, (prova.problemi[:5], applicato.problemi[:5])
    print(f"  {n} children, {applicato.conteggi['tutori']['creati']} guardians, "
          f"{applicato.conteggi['iscrizioni_mensa']['creati']} enrolments, {applicato.conteggi['saldi']['creati']} "
          f"balances; {cpu:.1f} s of this process's CPU in {elapsed:.1f} s", flush=True)
    scale = 10_000 / n
    ctx.report("switchover_import_10000_consumers_s", [elapsed * scale], "s", 60)

    start, cpu = time.perf_counter(), time.process_time()
    again = anagrafe_importa(comune=comune, files=files, applica=True)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"  re-import: {cpu:.1f} s of CPU in {elapsed:.1f} s", flush=True)
    assert all(c["creati"] == 0 and c["aggiornati"] == 0 for c in again.conteggi.values()), again.conteggi
    ctx.report("switchover_reimport_unchanged_s", [elapsed * scale], "s", 20)

    letters = ctx.size(1_000)
    lettere = _comune("bench-lettere", "80009290737")
    User.objects.create_user(email="ufficio@bench.example", password=None)
    righe = _workbook(letters)
    assert anagrafe_importa(comune=lettere, files=[("a.xlsx", righe)], applica=True).applicato
    from django_scopes import scope

    from consumatori.models import Tutore

    with scope(comune=lettere):  # one guardian per child: 1,000 letters
        Tutore.objects.filter(comune=lettere, nome="Padre").delete()
    # The forked child must not share this process's database connection: closing it there would end it here.
    from django.db import connections

    connections.close_all()
    queue = multiprocessing.get_context("fork").Queue()
    process = multiprocessing.get_context("fork").Process(target=_letters_child, args=(lettere.pk, queue))
    process.start()
    elapsed, peak_mb, count, size, cpu = queue.get(timeout=3600)
    process.join()
    # The worker's own CPU time tells what the wall time would be on a core of its own (the machine is shared).
    print(f"  {count} letters, PDF of {size / 1e6:.1f} MB, peak {peak_mb:.0f} MB, {cpu:.1f} s of worker CPU "
          f"in {elapsed:.1f} s", flush=True)
    ctx.report("family_letters_1000_pdf_s", [elapsed * 1_000 / count], "s", 120)
    ctx.report("family_letters_peak_memory_mb", [peak_mb], "MB", 1024)

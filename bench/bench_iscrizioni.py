"""The yearly work: 1,000 applications accepted in bulk with the tariff computed (≤ 10 s), and the
rollover of 100 comuni / 100,000 consumers, half of them also on the bus (≤ 120 s, set-based SQL).
--quick: a tenth of each."""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

from django.db import connection
from django_scopes import scope, scopes_disabled

OGGI = datetime.date(2026, 9, 1)
ESTATE = datetime.date(2027, 8, 31)


def _comune(n: int):
    from comuni.models import Comune

    with scopes_disabled():
        comune, _ = Comune.objects.get_or_create(
            slug=f"bench-iscrizioni-{n}",
            defaults={"nome": f"Bench Iscrizioni {n}", "codice_fiscale": f"9{n:010d}", "provincia": "TA"},
        )
    return comune


def _scuole(comune):
    """A school year, an infanzia, a primaria and a secondaria with their classes, the mappings, a
    calendar, a canteen tariff, and the 2027/28 canteen window renewing enrolments by itself."""
    from consumatori.models import AnnoScolastico, Classe, Scuola
    from iscrizioni.models import FinestraIscrizione, ProseguimentoScuola
    from mensa.models import Calendario, CalendarioScuola, PrezzoTariffa, Tariffa

    anno = AnnoScolastico.objects.create(comune=comune, nome="2026/27", data_inizio=datetime.date(2026, 9, 14),
                                         data_fine=datetime.date(2027, 6, 9))
    nuovo = AnnoScolastico.objects.create(comune=comune, nome="2027/28", data_inizio=datetime.date(2027, 9, 13),
                                          data_fine=datetime.date(2028, 6, 7))
    FinestraIscrizione.objects.create(comune=comune, anno_scolastico=nuovo, servizio="mensa", apre_il=OGGI,
                                      chiude_il=datetime.date(2027, 4, 30), rinnovo_automatico=True)
    scuole = {tipo: Scuola.objects.create(comune=comune, nome=f"Scuola {tipo}", tipo=tipo)
              for tipo in ("infanzia", "primaria", "secondaria")}
    ProseguimentoScuola.objects.create(comune=comune, scuola=scuole["infanzia"], scuola_successiva=scuole["primaria"])
    ProseguimentoScuola.objects.create(comune=comune, scuola=scuole["primaria"],
                                       scuola_successiva=scuole["secondaria"])
    classi = [Classe(comune=comune, scuola=scuole["infanzia"], anno_scolastico=anno, anno=None, sezione=s)
              for s in "ABC"]
    classi += [Classe(comune=comune, scuola=scuole[tipo], anno_scolastico=anno, anno=k, sezione=s)
               for tipo, last in (("primaria", 5), ("secondaria", 3)) for k in range(1, last + 1) for s in "AB"]
    Classe.objects.bulk_create(classi)
    calendario = Calendario.objects.create(comune=comune, anno_scolastico=anno, santo_patrono="San Bartolomeo")
    for scuola in scuole.values():
        CalendarioScuola.objects.create(comune=comune, calendario=calendario, scuola=scuola,
                                        data_inizio=datetime.date(2026, 9, 21), data_fine=datetime.date(2027, 6, 4))
    tariffe = []
    for nome, da, a, importo in (("Fascia A", "0", "7000", "2.00"), ("Fascia B", "7000.01", "15000", "3.00"),
                                 ("Intera", None, None, "4.10")):
        tariffa = Tariffa.objects.create(comune=comune, nome=nome, isee_da=da and Decimal(da),
                                         isee_a=a and Decimal(a))
        PrezzoTariffa.objects.create(comune=comune, tariffa=tariffa, valido_dal=datetime.date(2026, 9, 1),
                                     importo=Decimal(importo))
        tariffe.append(tariffa)
    return anno, scuole, tariffe


def _lettere(n: int) -> str:
    text = ""
    for _ in range(4):
        n, r = divmod(n, 26)
        text += "BCDFGHLMNPRSTVZAEIOUKQWXYJ"[r]
    return text.capitalize()


def _nascita(i: int) -> datetime.date:
    return datetime.date(2016 + i % 2, 1, 1) + datetime.timedelta(days=(i // 2) % 360)


def _cf(i: int) -> str:
    from codicefiscale import codicefiscale

    return codicefiscale.encode(lastname=_lettere(i // 2), firstname=("Marco", "Giulia")[i % 2], gender="MF"[i % 2],
                                birthdate=_nascita(i).isoformat(), birthplace="Taranto")


def _populate_domande(n: int):
    """n applications of n/2 families (two children each), half also for the bus."""
    from comuni.models import User
    from iscrizioni.models import Domanda, RegolaFratelli, StatoDomanda
    from trasporto.models import Fermata, Linea, Percorso, TariffaTrasporto

    comune = _comune(0)
    with scope(comune=comune):
        anno, scuole, _tariffe = _scuole(comune)
        RegolaFratelli.objects.create(comune=comune, servizio="mensa")
        RegolaFratelli.objects.create(comune=comune, servizio="trasporto")
        linea = Linea.objects.create(comune=comune, anno_scolastico=anno, nome="Linea 1")
        fermata = Fermata.objects.create(comune=comune, linea=linea, ordine=1, nome="Piazza")
        TariffaTrasporto.objects.create(comune=comune, percorso=Percorso.ANDATA_RITORNO,
                                        importo_mensile=Decimal("25.00"), valido_dal=datetime.date(2026, 9, 1))
        utenti = User.objects.bulk_create([User(email=f"famiglia{i}@bench.example", first_name="Genitore",
                                                last_name=f"N{i}") for i in range(n // 2)])
        classe = scuole["primaria"].classi.first()
        domande = [
            Domanda(comune=comune, anno_scolastico=anno, utente=utenti[i // 2], protocollo=f"ISC-2026-{i:06d}",
                    stato=StatoDomanda.INVIATA, nome=("Marco", "Giulia")[i % 2], cognome=_lettere(i // 2),
                    codice_fiscale=_cf(i), data_nascita=_nascita(i),
                    scuola=scuole["primaria"], classe=classe, mensa=True, trasporto=i % 4 < 2,
                    linea=linea if i % 4 < 2 else None, fermata=fermata if i % 4 < 2 else None,
                    percorso=Percorso.ANDATA_RITORNO if i % 4 < 2 else "",
                    isee=Decimal(3000 + (i * 37) % 20000), protocollo_dsu="INPS-ISEE-2026-12345678A-00")
            for i in range(n)
        ]
        Domanda.objects.bulk_create(domande)
    return comune


def _reset_domande(comune) -> None:
    with connection.cursor() as cursor:
        for table in ("trasporto_iscrizione", "mensa_iscrizionemensa", "iscrizioni_situazioneisee",
                      "consumatori_tutore", "consumatori_classeconsumatore", "notifiche_messaggioio",
                      "notifiche_inviopush", "notifiche_notifica"):
            cursor.execute(f"DELETE FROM {table} WHERE comune_id = %s", [comune.pk])  # noqa: S608
        cursor.execute("UPDATE iscrizioni_domanda SET stato = 'inviata', consumatore_id = NULL WHERE comune_id = %s",
                       [comune.pk])
        cursor.execute("DELETE FROM consumatori_consumatore WHERE comune_id = %s", [comune.pk])
        cursor.execute("ANALYZE")


def _linea(comune, anno):
    """A bus route with two stops in the old year, and the 2027/28 bus window renewing by itself."""
    from consumatori.models import AnnoScolastico
    from iscrizioni.models import FinestraIscrizione
    from trasporto.models import Fermata, Linea

    FinestraIscrizione.objects.create(comune=comune, anno_scolastico=AnnoScolastico.objects.get(nome="2027/28"),
                                      servizio="trasporto", apre_il=OGGI, chiude_il=datetime.date(2027, 4, 30),
                                      rinnovo_automatico=True)
    linea = Linea.objects.create(comune=comune, anno_scolastico=anno, nome="Linea 1")
    fermate = [Fermata.objects.create(comune=comune, linea=linea, ordine=k, nome=f"Fermata {k}") for k in (1, 2)]
    return linea, fermate


def _populate_rollover(comuni: int, per_comune: int) -> list:
    """Each comune: per_comune pupils over every class, all in the canteen, one in two on the bus."""
    result = []
    for n in range(1, comuni + 1):
        comune = _comune(n)
        with scope(comune=comune):
            anno, _scuole_, tariffe = _scuole(comune)
            linea, fermate = _linea(comune, anno)
        with connection.cursor() as cursor:
            # Pupils spread over every class; birth years fit the class (the infanzia by age).
            cursor.execute(
                """INSERT INTO consumatori_consumatore (comune_id, nome, cognome, codice_fiscale, data_nascita,
                       classe_id, dieta_speciale, note_dieta, codice_pagamento, attivo, creato_il)
                   SELECT %(comune)s, 'Alunno', 'N' || g, lpad(g::text, 16, 'X'),
                       DATE '2019-01-01' + (g %% 1500), k.id, FALSE, '',
                       'R' || lpad((%(comune)s * 1000000 + g)::text, 11, '0'), TRUE, now()
                   FROM generate_series(1, %(n)s) g
                   JOIN LATERAL (SELECT id FROM consumatori_classe WHERE comune_id = %(comune)s
                                 ORDER BY id OFFSET (g %% 19) LIMIT 1) k ON TRUE""",
                {"comune": comune.pk, "n": per_comune},
            )
            cursor.execute(
                """INSERT INTO mensa_iscrizionemensa (comune_id, consumatore_id, tariffa_id, data_inizio, data_fine,
                       creata_il)
                   SELECT comune_id, id, %s, DATE '2026-09-14', DATE '2027-06-09', now()
                   FROM consumatori_consumatore WHERE comune_id = %s""",
                [tariffe[2].pk, comune.pk],
            )
            cursor.execute(
                """INSERT INTO trasporto_iscrizione (comune_id, consumatore_id, linea_id, fermata_id, percorso,
                       data_inizio, data_fine, esente, riduzione_fratelli, note, creato_il)
                   SELECT comune_id, id, %s, CASE WHEN id %% 4 = 0 THEN %s ELSE %s END, 'andata_ritorno',
                       DATE '2026-09-14', DATE '2027-06-09', FALSE, FALSE, '', now()
                   FROM consumatori_consumatore WHERE comune_id = %s AND id %% 2 = 0""",
                [linea.pk, fermate[0].pk, fermate[1].pk, comune.pk],
            )
        result.append(comune)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return result


def run(ctx) -> None:
    from iscrizioni.accoglienza import domande_accogli
    from iscrizioni.models import Domanda
    from iscrizioni.passaggio import anno_scolastico_nuovo

    n = ctx.size(1000)
    comune = _populate_domande(n)
    staff = None

    def accept() -> None:
        with scope(comune=comune):
            accolte, errori = domande_accogli(domande=list(Domanda.objects.all()), da=staff, giorno=OGGI)
        assert accolte == n and not errori, (accolte, errori[:3])

    runs = ctx.measure(accept, runs=1 if ctx.quick else 3, setup=lambda: _reset_domande(comune))
    ctx.report("enrolment_accept_1000_applications_s", runs, "s", 10 if not ctx.quick else 1)

    comuni = _populate_rollover(ctx.size(100), 1000)
    start = time.perf_counter()
    promossi = bus = 0
    for c in comuni:  # one transaction per comune, as the command does
        with scope(comune=c):
            esito = anno_scolastico_nuovo(comune=c, giorno=ESTATE)
        promossi += esito.promossi + esito.usciti
        bus += esito.trasporto_rinnovate
    elapsed = time.perf_counter() - start
    assert promossi == len(comuni) * 1000, promossi
    assert bus > len(comuni) * 400, bus
    ctx.report("rollover_100k_consumers_s", [elapsed], "s", 120 if not ctx.quick else 12)

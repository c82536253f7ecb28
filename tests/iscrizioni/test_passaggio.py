"""The rollover: next school year, classes moved up, history kept, enrolments renewed or closed."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django_scopes import scope

from consumatori.models import AnnoScolastico, Classe, ClasseConsumatore, Consumatore, TipoScuola
from consumatori.storico import classe_del_periodo
from iscrizioni import passaggio
from iscrizioni.models import FinestraIscrizione, ProseguimentoScuola
from iscrizioni.passaggio import anno_scolastico_nuovo
from mensa.models import CalendarioScuola, IscrizioneMensa
from pagamenti.models import Movimento, Servizio, TipoMovimento
from pagamenti.services import movimento_register
from tests.factories import AnnoScolasticoFactory, ClasseFactory, ConsumatoreFactory, ScuolaFactory
from tests.mensa.factories import CalendarioScuolaFactory, IscrizioneMensaFactory, TariffaFactory
from tests.trasporto.factories import FermataFactory, LineaFactory
from trasporto.models import Fermata, Iscrizione, Linea, Percorso

AGOSTO = datetime.date(2027, 8, 31)
FINE = datetime.date(2027, 6, 9)


@pytest.fixture
def scuole(leporano, anno):
    infanzia = ScuolaFactory(comune=leporano, nome="Infanzia «Collodi»", tipo=TipoScuola.INFANZIA)
    primaria = ScuolaFactory(comune=leporano, nome="Primaria «Giovanni XXIII»", tipo=TipoScuola.PRIMARIA)
    secondaria = ScuolaFactory(comune=leporano, nome="Secondaria «Renato Moro»", tipo=TipoScuola.SECONDARIA)
    with scope(comune=leporano):
        ProseguimentoScuola.objects.create(comune=leporano, scuola=infanzia, scuola_successiva=primaria)
        ProseguimentoScuola.objects.create(comune=leporano, scuola=primaria, scuola_successiva=secondaria)
    classi = {
        "infanzia": ClasseFactory(comune=leporano, scuola=infanzia, anno_scolastico=anno, anno=None, sezione="A"),
        "1A": ClasseFactory(comune=leporano, scuola=primaria, anno_scolastico=anno, anno=1, sezione="A"),
        "5A": ClasseFactory(comune=leporano, scuola=primaria, anno_scolastico=anno, anno=5, sezione="A"),
        "3A": ClasseFactory(comune=leporano, scuola=secondaria, anno_scolastico=anno, anno=3, sezione="A"),
    }
    CalendarioScuolaFactory(comune=leporano, scuola=primaria, calendario__anno_scolastico=anno,
                            calendario__festa_patronale=datetime.date(2026, 11, 11))
    tariffa = TariffaFactory(comune=leporano)
    alunni = {}
    for nome, classe, nascita, fine in (
        ("Ugo", "infanzia", datetime.date(2021, 3, 1), None), ("Vera", "infanzia", datetime.date(2023, 5, 1), None),
        ("Alba", "1A", datetime.date(2020, 2, 2), None), ("Bruno", "5A", datetime.date(2016, 6, 6), FINE),
        ("Carlo", "3A", datetime.date(2013, 7, 7), None),
    ):
        alunni[nome] = ConsumatoreFactory(comune=leporano, nome=nome, classe=classi[classe], data_nascita=nascita)
        IscrizioneMensaFactory(comune=leporano, consumatore=alunni[nome], tariffa=tariffa,
                               data_inizio=datetime.date(2026, 9, 14), data_fine=fine)
    return {"classi": classi, "alunni": alunni, "tariffa": tariffa, "primaria": primaria, "secondaria": secondaria}


@pytest.fixture
def finestra_2027(leporano, anno):
    with scope(comune=leporano):
        nuovo = AnnoScolastico.objects.create(comune=leporano, nome="2027/28", data_inizio=datetime.date(2027, 9, 13),
                                              data_fine=datetime.date(2028, 6, 7))
        FinestraIscrizione.objects.create(comune=leporano, anno_scolastico=nuovo, servizio=Servizio.MENSA,
                                          apre_il=datetime.date(2027, 3, 1), chiude_il=datetime.date(2027, 4, 30),
                                          rinnovo_automatico=True)
    return nuovo


def _classi(leporano) -> dict[str, str | None]:
    with scope(comune=leporano):
        return {c.nome: (f"{c.classe.scuola.nome} {c.classe.denominazione} {c.classe.anno_scolastico.nome}"
                         if c.classe else None)
                for c in Consumatore.objects.select_related("classe__scuola", "classe__anno_scolastico")}


def test_the_dry_run_shows_each_class_and_changes_nothing(leporano, scuole, finestra_2027):
    before = _classi(leporano)
    with scope(comune=leporano):
        esito = anno_scolastico_nuovo(comune=leporano, prova=True, giorno=AGOSTO)
    righe = {(r.classe, r.destinazione, r.alunni) for r in esito.righe}
    assert ("1ª A", "2ª A", 1) in righe and ("5ª A", "Secondaria «Renato Moro», 1ª A", 1) in righe
    assert ("3ª A", "esce (ultimo anno)", 1) in righe
    assert ("Sezione A", "Primaria «Giovanni XXIII», 1ª A", 1) in righe and ("Sezione A", "Sezione A", 1) in righe
    assert _classi(leporano) == before


def test_the_rollover_moves_every_class_up_and_renews_as_the_window_says(leporano, anno, scuole, finestra_2027):
    with scope(comune=leporano):
        movimento_register(consumatore=scuole["alunni"]["Alba"], servizio=Servizio.MENSA,
                           tipo=TipoMovimento.SALDO_INIZIALE, importo=Decimal("12.50"),
                           data_valuta=datetime.date(2026, 9, 1), chiave="saldo_iniziale")
        esito = anno_scolastico_nuovo(comune=leporano, giorno=AGOSTO)
    assert (esito.anno_da, esito.anno_a, esito.promossi, esito.usciti) == ("2026/27", "2027/28", 4, 1)
    assert _classi(leporano) == {
        "Ugo": "Primaria «Giovanni XXIII» 1ª A 2027/28", "Vera": "Infanzia «Collodi» Sezione A 2027/28",
        "Alba": "Primaria «Giovanni XXIII» 2ª A 2027/28", "Bruno": "Secondaria «Renato Moro» 1ª A 2027/28",
        "Carlo": None,
    }
    alunni = scuole["alunni"]
    with scope(comune=leporano):
        # History: last year's class kept, and the new one recorded.
        assert ClasseConsumatore.objects.get(consumatore=alunni["Alba"], anno_scolastico=anno).classe == \
            scuole["classi"]["1A"]
        assert ClasseConsumatore.objects.filter(consumatore=alunni["Alba"]).count() == 2
        alba = Consumatore.objects.select_related("classe__anno_scolastico").get(pk=alunni["Alba"].pk)
        novembre = classe_del_periodo(consumatore=alba, dal=datetime.date(2026, 11, 1), al=datetime.date(2026, 11, 30))
        assert novembre == scuole["classi"]["1A"]
        # Canteen: Bruno's enrolment ended with the year and is renewed; Carlo left and is closed;
        # Alba's open enrolment simply goes on.
        mensa = {(i.consumatore.nome, i.data_inizio, i.data_fine) for i in
                 IscrizioneMensa.objects.select_related("consumatore")}
        assert ("Bruno", finestra_2027.data_inizio, finestra_2027.data_fine) in mensa
        assert ("Carlo", datetime.date(2026, 9, 14), FINE) in mensa
        assert ("Alba", datetime.date(2026, 9, 14), None) in mensa
        assert IscrizioneMensa.objects.get(consumatore__nome="Bruno", data_inizio=finestra_2027.data_inizio) \
            .tariffa == scuole["tariffa"]
        # The calendar follows the pattern of the old year, shifted to the new one.
        cal = CalendarioScuola.objects.get(calendario__anno_scolastico=finestra_2027)
        assert cal.data_inizio.weekday() == datetime.date(2026, 9, 21).weekday()
        assert cal.calendario.festa_patronale == datetime.date(2027, 11, 11)
        # Balances untouched.
        assert Movimento.objects.count() == 1


def test_a_second_run_changes_nothing(leporano, scuole, finestra_2027):
    with scope(comune=leporano):
        anno_scolastico_nuovo(comune=leporano, giorno=AGOSTO)
        state = (_classi(leporano), Classe.objects.count(), IscrizioneMensa.objects.count(),
                 ClasseConsumatore.objects.count(), AnnoScolastico.objects.count())
        esito = anno_scolastico_nuovo(comune=leporano, giorno=AGOSTO)
        assert (esito.classi_create, esito.promossi, esito.usciti, esito.mensa_rinnovate) == (0, 0, 0, 0)
        assert state == (_classi(leporano), Classe.objects.count(), IscrizioneMensa.objects.count(),
                         ClasseConsumatore.objects.count(), AnnoScolastico.objects.count())


def test_without_the_window_the_year_is_created_from_the_pattern(leporano, scuole):
    with scope(comune=leporano):
        esito = anno_scolastico_nuovo(comune=leporano, giorno=AGOSTO)
        nuovo = AnnoScolastico.objects.get(nome="2027/28")
    assert esito.anno_a == "2027/28" and nuovo.data_inizio == datetime.date(2027, 9, 13)  # a Monday, as in 2026


def test_interrupted_halfway_it_leaves_the_old_year_intact(leporano, scuole, finestra_2027, monkeypatch):
    before = _classi(leporano)

    def boom(*args, **kwargs):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(passaggio, "_calendari_copia", boom)
    with scope(comune=leporano), pytest.raises(RuntimeError):
        anno_scolastico_nuovo(comune=leporano, giorno=AGOSTO)
    assert _classi(leporano) == before
    with scope(comune=leporano):
        assert not Classe.objects.filter(anno_scolastico=finestra_2027).exists()


def test_the_command_dry_run_then_run(leporano, pulsano, scuole, finestra_2027):
    out = StringIO()
    call_command("anno_scolastico_nuovo", "--comune", "leporano", "--dry-run", "--data", "2027-08-31", stdout=out)
    assert "prova" in out.getvalue() and "1ª A → 2ª A: 1 alunni" in out.getvalue()
    out = StringIO()
    call_command("anno_scolastico_nuovo", "--data", "2027-08-31", stdout=out)
    assert "promossi 4, usciti 1" in out.getvalue()
    with scope(comune=pulsano):
        assert not AnnoScolastico.objects.exists()  # nothing to roll over in Pulsano


def test_staff_run_the_rollover_from_the_admin_and_other_comuni_see_nothing(client, clock, bob, dora, leporano,
                                                                            scuole, finestra_2027):
    from django.urls import reverse

    clock.set(AGOSTO, 10)
    url = reverse("admin:iscrizioni_passaggio_anno")
    client.force_login(dora)
    assert "Nessun alunno" in client.get(url).content.decode()  # Pulsano has no year to roll over
    client.force_login(bob)
    page = client.get(url).content.decode()
    assert "2026/27 → 2027/28" in page and "2ª A" in page and "Passa al nuovo anno" in page
    assert _classi(leporano)["Alba"].endswith("1ª A 2026/27")
    assert client.post(url).status_code == 200
    assert _classi(leporano)["Alba"].endswith("2ª A 2027/28")


def _bus(comune, anno, *consumatori):
    """Route "Linea 1" with two stops in the comune's 2026/27, the consumers enrolled at the second."""
    linea = LineaFactory(comune=comune, anno_scolastico=anno, nome="Linea 1")
    FermataFactory(comune=comune, linea=linea, ordine=1, nome="Piazza")
    fermata = FermataFactory(comune=comune, linea=linea, ordine=2, nome="Chiesa")
    with scope(comune=comune):
        for consumatore in consumatori:
            Iscrizione.objects.create(comune=comune, consumatore=consumatore, linea=linea, fermata=fermata,
                                      percorso=Percorso.SOLO_ANDATA, data_inizio=datetime.date(2026, 9, 14),
                                      data_fine=FINE, riduzione_fratelli=True, note="Cancello sul retro")


def test_the_bus_is_renewed_on_the_new_routes_and_other_comuni_are_untouched(leporano, pulsano, scuole,
                                                                             finestra_2027):
    """The bus window renews: routes and stops copied to 2027/28, each pupil still in school enrolled
    again at the stop of the same order; a pupil who left is not. Pulsano, with a route and a stop of
    the same name and order and its own pupils, keeps everything as it was."""
    alunni = scuole["alunni"]
    with scope(comune=leporano):
        FinestraIscrizione.objects.create(comune=leporano, anno_scolastico=finestra_2027,
                                          servizio=Servizio.TRASPORTO, apre_il=datetime.date(2027, 3, 1),
                                          chiude_il=datetime.date(2027, 4, 30), rinnovo_automatico=True)
    # Carlo leaves the secondaria: not renewed.
    _bus(leporano, scuole["classi"]["1A"].anno_scolastico, alunni["Alba"], alunni["Carlo"])
    anno_pulsano = AnnoScolasticoFactory(comune=pulsano)
    classe_pulsano = ClasseFactory(comune=pulsano, anno_scolastico=anno_pulsano, anno=1, sezione="A")
    gino = ConsumatoreFactory(comune=pulsano, nome="Gino", classe=classe_pulsano)
    IscrizioneMensaFactory(comune=pulsano, consumatore=gino, tariffa=TariffaFactory(comune=pulsano),
                           data_inizio=datetime.date(2026, 9, 14), data_fine=FINE)
    _bus(pulsano, anno_pulsano, gino)

    with scope(comune=leporano):
        esito = anno_scolastico_nuovo(comune=leporano, giorno=AGOSTO)
        assert esito.trasporto_rinnovate == 1
        nuova = Iscrizione.objects.select_related("linea", "fermata").get(data_inizio=finestra_2027.data_inizio)
        assert nuova.consumatore == alunni["Alba"] and nuova.linea.anno_scolastico == finestra_2027
        assert (nuova.linea.nome, nuova.fermata.ordine, nuova.fermata.nome) == ("Linea 1", 2, "Chiesa")
        assert (nuova.percorso, nuova.data_fine, nuova.riduzione_fratelli, nuova.note) == \
            (Percorso.SOLO_ANDATA, finestra_2027.data_fine, True, "Cancello sul retro")
        assert Linea.objects.filter(anno_scolastico=finestra_2027).count() == 1
        assert Fermata.objects.filter(linea__anno_scolastico=finestra_2027).count() == 2
        again = anno_scolastico_nuovo(comune=leporano, giorno=AGOSTO)
        assert (again.trasporto_rinnovate, Iscrizione.objects.count()) == (0, 3)
    with scope(comune=pulsano):
        assert Iscrizione.objects.get().data_inizio == datetime.date(2026, 9, 14)
        assert Linea.objects.count() == 1 and Fermata.objects.count() == 2
        assert list(IscrizioneMensa.objects.values_list("data_inizio", "data_fine")) == \
            [(datetime.date(2026, 9, 14), FINE)]
        assert Consumatore.objects.get().classe == classe_pulsano

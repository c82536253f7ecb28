"""Fixtures of the yearly cycle: the De Marco family (three children sharing a guardian) in Leporano,
the canteen ISEE brackets and the bus tariffs of 2026/27, the comune's sibling rule (−20 % / −40 %)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django_scopes import scope

from iscrizioni.models import RegolaFratelli
from pagamenti.models import Servizio
from tests.factories import AnnoScolasticoFactory, ClasseFactory, ConsumatoreFactory, TutoreFactory, cf_for
from tests.mensa.conftest import clock  # noqa: F401  (re-exported fixture)
from tests.mensa.factories import CalendarioScuolaFactory, PrezzoTariffaFactory, TariffaFactory
from tests.s3_locale import s3_server  # noqa: F401  (re-exported fixture)
from tests.trasporto.factories import FermataFactory, LineaFactory
from tests.trasporto.factories import TariffaFactory as TariffaTrasportoFactory
from trasporto.models import FasciaIsee, Percorso

GUARDIAN_CF = "DMRGPP80A01L049X"


@pytest.fixture
def anno(leporano):
    return AnnoScolasticoFactory(comune=leporano)


@pytest.fixture
def tariffe_mensa(leporano, anno):
    """Fascia A (ISEE up to 7.000 €) 2,00 €, Fascia B (up to 15.000 €) 3,00 €, Tariffa intera 4,10 €."""
    fascia_a = TariffaFactory(comune=leporano, nome="Fascia A", isee_da=Decimal("0"), isee_a=Decimal("7000"))
    fascia_b = TariffaFactory(comune=leporano, nome="Fascia B", isee_da=Decimal("7000.01"),
                              isee_a=Decimal("15000"))
    intera = TariffaFactory(comune=leporano, nome="Tariffa intera")
    for tariffa, importo in ((fascia_a, "2.00"), (fascia_b, "3.00"), (intera, "4.10")):
        PrezzoTariffaFactory(comune=leporano, tariffa=tariffa, importo=Decimal(importo))
    with scope(comune=leporano):
        RegolaFratelli.objects.create(comune=leporano, servizio=Servizio.MENSA)
        RegolaFratelli.objects.create(comune=leporano, servizio=Servizio.TRASPORTO, riduzione_secondo=Decimal("10"),
                                      riduzione_successivi=Decimal("10"))
    return {"A": fascia_a, "B": fascia_b, "intera": intera}


@pytest.fixture
def famiglia(leporano, anno):
    """Three De Marco children (born 2016, 2018, 2020) with the same father, and a neighbour's child."""
    classe = ClasseFactory(comune=leporano, anno_scolastico=anno, anno=2, sezione="A")
    CalendarioScuolaFactory(comune=leporano, scuola=classe.scuola, calendario__anno_scolastico=anno)
    children = []
    for nome, nascita in (("Giulia", datetime.date(2016, 5, 2)), ("Marco", datetime.date(2018, 7, 9)),
                          ("Anna", datetime.date(2020, 1, 30))):
        child = ConsumatoreFactory(comune=leporano, nome=nome, cognome="De Marco", data_nascita=nascita,
                                   classe=classe, codice_fiscale=cf_for("De Marco", nome, "F", nascita))
        TutoreFactory(comune=leporano, consumatore=child, nome="Giuseppe", cognome="De Marco",
                      codice_fiscale=GUARDIAN_CF)
        children.append(child)
    vicino = ConsumatoreFactory(comune=leporano, nome="Luca", cognome="Vicino", classe=classe,
                                data_nascita=datetime.date(2015, 1, 1))
    TutoreFactory(comune=leporano, consumatore=vicino, nome="Rita", cognome="Vicino")
    return {"figli": children, "vicino": vicino, "classe": classe}


@pytest.fixture
def bus(leporano, anno):
    """A 2026/27 route, two stops; monthly fee 25 € (full), 12 € for ISEE up to 7.000 €."""
    leporano.data_attivazione_trasporto = datetime.date(2026, 4, 1)
    leporano.save(update_fields=["data_attivazione_trasporto"])
    linea = LineaFactory(comune=leporano, anno_scolastico=anno, nome="Linea Gandoli")
    altra = LineaFactory(comune=leporano, anno_scolastico=anno, nome="Linea Saturo")
    with scope(comune=leporano):
        fascia = FasciaIsee.objects.create(comune=leporano, nome="Fascia A", isee_da=Decimal("0"),
                                           isee_a=Decimal("7000"))
    TariffaTrasportoFactory(comune=leporano, percorso=Percorso.ANDATA_RITORNO, importo_mensile=Decimal("25.00"))
    TariffaTrasportoFactory(comune=leporano, percorso=Percorso.ANDATA_RITORNO, importo_mensile=Decimal("12.00"),
                            fascia=fascia)
    TariffaTrasportoFactory(comune=leporano, percorso=Percorso.SOLO_ANDATA, importo_mensile=Decimal("15.00"))
    TariffaTrasportoFactory(comune=leporano, percorso=Percorso.SOLO_RITORNO, importo_mensile=Decimal("15.00"))
    return {
        "linea": linea, "fascia": fascia,
        "fermate": [FermataFactory(linea=linea, ordine=1, nome="Piazza Castello"),
                    FermataFactory(linea=linea, ordine=2, nome="Gandoli")],
        "altra_fermata": FermataFactory(linea=altra, ordine=1, nome="Saturo"),
    }


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path


@pytest.fixture
def finestre(leporano, anno):
    """Canteen and bus applications for 2026/27 open in November 2026 ("today" is 23 November)."""
    from iscrizioni.models import FinestraIscrizione

    with scope(comune=leporano):
        return [
            FinestraIscrizione.objects.create(
                comune=leporano, anno_scolastico=anno, servizio=servizio, apre_il=datetime.date(2026, 11, 1),
                chiude_il=datetime.date(2026, 11, 30), documenti_richiesti="Attestazione ISEE",
            )
            for servizio in (Servizio.MENSA, Servizio.TRASPORTO)
        ]


PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def domanda_inviata(*, utente, anno, scuola, classe=None, nome="Chiara", cognome="Lacaita",
                    nascita=datetime.date(2020, 4, 15), isee=None, protocollo_dsu="", mensa=True, trasporto=None,
                    consumatore=None, dieta="", dieta_descrizione="", certificato=None):
    """An application as the family sends it (draft, then "Invia"), through the services."""
    import uuid

    from iscrizioni.domande import domanda_invia, domanda_salva

    dati = {"consumatore": consumatore, "nome": nome, "cognome": cognome,
            "codice_fiscale": cf_for(cognome, nome, "F", nascita), "data_nascita": nascita, "scuola": scuola,
            "classe": classe, "mensa": mensa, "trasporto": bool(trasporto), "dieta": dieta,
            "dieta_descrizione": dieta_descrizione, "protocollo_dsu": protocollo_dsu}
    if trasporto:
        dati.update(linea=trasporto[0], fermata=trasporto[1], percorso=Percorso.ANDATA_RITORNO)
    with scope(comune=anno.comune):
        domanda = domanda_salva(utente=utente, anno=anno, chiave=uuid.uuid4(), dati=dati, isee=isee,
                                certificato=certificato, certificato_tipo="application/pdf" if certificato else "",
                                giorno=datetime.date(2026, 11, 23))
        return domanda_invia(domanda=domanda, giorno=datetime.date(2026, 11, 23))


class Archivio:
    """The private storage under test: what it holds, on disk or in the local S3 server's bucket."""

    def __init__(self, tipo: str, root=None, endpoint: str = "", bucket: str = ""):
        self.tipo, self.root, self.endpoint, self.bucket = tipo, root, endpoint, bucket

    def files(self) -> list[str]:
        if self.tipo == "locale":
            return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file()) \
                if self.root.exists() else []
        from tests.s3_locale import s3_client

        listing = s3_client(self.endpoint).list_objects_v2(Bucket=self.bucket, Prefix="private/")
        return sorted(o["Key"].removeprefix("private/") for o in listing.get("Contents", []))


@pytest.fixture(params=["locale", "s3"])
def archivio(request, settings, _private_files):
    """Each test twice: certificates on local disk (PRIVATE_MEDIA_ROOT), and on S3 (a local moto server)."""
    from pathlib import Path

    if request.param == "locale":
        return Archivio("locale", root=Path(settings.PRIVATE_MEDIA_ROOT))
    from tests.s3_locale import s3_storages

    endpoint = request.getfixturevalue("s3_server")
    return Archivio("s3", endpoint=endpoint, bucket=s3_storages(settings, endpoint))

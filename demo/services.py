"""The demo seed: idempotent, deterministic, in Italian."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from codicefiscale import codicefiscale
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from comuni.models import Comune, Ruolo, User
from comuni.services import incarico_assign
from consumatori.models import AnnoScolastico, Classe, Consumatore, Scuola, TipoScuola, Tutore
from demo.app import app_demo_seed

from . import data
from .mensa import seed_mensa
from .menu import seed_menu
from .trasporto import seed_trasporto

FAMIGLIE_PER_COMUNE = 40
# The first families of each comune get an account; the first one is printed as the demo login.
FAMIGLIE_CON_ACCOUNT = 3


@dataclass(frozen=True)
class DemoLogin:
    ruolo: str
    comune: str
    login: str
    password: str
    url: str


@dataclass
class _Figlio:
    nome: str
    sesso: str
    nascita: datetime.date
    tipo: str


def _email_domain(slug: str) -> str:
    return f"{slug}.example"


def _account(email: str, password: str, **fields) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, **fields)
    else:
        for key, value in fields.items():
            setattr(user, key, value)
        user.set_password(password)
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _classi(comune: Comune, anno: AnnoScolastico, scuole: dict[str, Scuola]) -> dict[tuple, Classe]:
    layout = {
        TipoScuola.INFANZIA: [(None, s) for s in "ABC"],
        TipoScuola.PRIMARIA: [(a, s) for a in range(1, 6) for s in "AB"],
        TipoScuola.SECONDARIA: [(a, s) for a in range(1, 4) for s in "AB"],
    }
    classi = {}
    for tipo, scuola in scuole.items():
        for anno_classe, sezione in layout[tipo]:
            classe, _ = Classe.objects.get_or_create(
                comune=comune, scuola=scuola, anno_scolastico=anno, anno=anno_classe, sezione=sezione
            )
            classi[(tipo, anno_classe, sezione)] = classe
    return classi


def _child_for(rng: random.Random, tipo: str) -> _Figlio:
    # Birth years for the 2026/27 school year: infanzia 2021-2023, primaria 2016-2020, secondaria 2013-2015.
    years = {"infanzia": (2021, 2023), "primaria": (2016, 2020), "secondaria": (2013, 2015)}[tipo]
    sesso = rng.choice("MF")
    nascita = datetime.date(rng.randint(*years), rng.randint(1, 12), rng.randint(1, 28))
    nome = rng.choice(data.NOMI_M if sesso == "M" else data.NOMI_F)
    return _Figlio(nome=nome, sesso=sesso, nascita=nascita, tipo=tipo)


def _classe_for(rng: random.Random, figlio: _Figlio, classi: dict[tuple, Classe]) -> Classe:
    if figlio.tipo == TipoScuola.INFANZIA:
        return classi[(figlio.tipo, None, rng.choice("ABC"))]
    first_year = 2020 if figlio.tipo == TipoScuola.PRIMARIA else 2015
    anno_classe = first_year - figlio.nascita.year + 1
    return classi[(figlio.tipo, anno_classe, rng.choice("AB"))]


def _seed_comune(spec: dict) -> list[DemoLogin]:
    rng = random.Random(f"omnibus-demo-{spec['slug']}")  # noqa: S311 - demo data, not security
    comune, _ = Comune.objects.update_or_create(
        slug=spec["slug"],
        defaults={k: v for k, v in spec.items() if k not in {"slug", "scuole", "luogo_nascita"}},
    )
    nome_anno, inizio, fine = data.ANNO_SCOLASTICO
    anno, _ = AnnoScolastico.objects.update_or_create(
        comune=comune, nome=nome_anno, defaults={"data_inizio": inizio, "data_fine": fine}
    )
    scuole = {}
    for nome, tipo, meccanografico, indirizzo in spec["scuole"]:
        scuola, _ = Scuola.objects.update_or_create(
            comune=comune, nome=nome,
            defaults={"tipo": tipo, "codice_meccanografico": meccanografico, "indirizzo": indirizzo},
        )
        scuole[tipo] = scuola
    classi = _classi(comune, anno, scuole)

    domain = _email_domain(spec["slug"])
    login_url = f"/login/{comune.slug}/"
    logins: list[DemoLogin] = []
    cognomi = rng.sample(data.COGNOMI, FAMIGLIE_PER_COMUNE)
    for n, cognome in enumerate(cognomi):
        if n == 0:
            figli = [_child_for(rng, t) for t in ("infanzia", "primaria", "secondaria")]
        elif n == 1:
            figli = [_child_for(rng, t) for t in ("primaria", "primaria")]
        else:
            figli = [_child_for(rng, rng.choice(["infanzia", "primaria", "primaria", "secondaria"]))
                     for _ in range(rng.choice([1, 1, 2, 2, 3]))]
        madre_nome = rng.choice(data.NOMI_GENITORI_F)
        madre_cognome = rng.choice(data.COGNOMI)
        madre_cf = codicefiscale.encode(
            lastname=madre_cognome, firstname=madre_nome, gender="F",
            birthdate=datetime.date(rng.randint(1978, 1992), rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
            birthplace=spec["luogo_nascita"],
        )
        padre_nome = rng.choice(data.NOMI_GENITORI_M)
        padre_cf = codicefiscale.encode(
            lastname=cognome, firstname=padre_nome, gender="M",
            birthdate=datetime.date(rng.randint(1975, 1990), rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
            birthplace=spec["luogo_nascita"],
        )
        account = None
        if n < FAMIGLIE_CON_ACCOUNT:
            email = f"{madre_nome}.{madre_cognome}".lower().replace("'", "").replace(" ", "").replace("ò", "o")
            email = f"{email}@{domain}"
            account = _account(
                email, data.DEMO_PASSWORD_FAMIGLIA, first_name=madre_nome, last_name=madre_cognome,
                codice_fiscale=madre_cf,
            )
            figli_nomi = ", ".join(f.nome for f in figli)
            logins.append(DemoLogin(f"famiglia ({figli_nomi})", comune.nome, email,
                                    data.DEMO_PASSWORD_FAMIGLIA, login_url))
        for figlio in figli:
            cf = codicefiscale.encode(
                lastname=cognome, firstname=figlio.nome, gender=figlio.sesso, birthdate=figlio.nascita.isoformat(),
                birthplace=spec["luogo_nascita"],
            )
            dieta = rng.random() < 0.12
            consumatore, _ = Consumatore.objects.update_or_create(
                comune=comune, codice_fiscale=cf,
                defaults={
                    "nome": figlio.nome, "cognome": cognome, "data_nascita": figlio.nascita,
                    "classe": _classe_for(rng, figlio, classi), "dieta_speciale": dieta,
                    "note_dieta": rng.choice(data.DIETE) if dieta else "",
                },
            )
            Tutore.objects.update_or_create(
                comune=comune, consumatore=consumatore, codice_fiscale=madre_cf,
                defaults={
                    "nome": madre_nome, "cognome": madre_cognome, "email": account.email if account else "",
                    "utente": account, "collegato_il": timezone.now() if account else None,
                },
            )
            Tutore.objects.update_or_create(
                comune=comune, consumatore=consumatore, codice_fiscale=padre_cf,
                defaults={"nome": padre_nome, "cognome": cognome},
            )

    ufficio = _account(f"ufficio.scuola@{domain}", data.DEMO_PASSWORD_STAFF,
                       first_name="Ufficio", last_name=f"Scuola {comune.nome}")
    incarico_assign(user=ufficio, comune=comune, ruolo=Ruolo.UFFICIO_SCUOLA)
    operatore = _account(f"operatore.mensa@{domain}", data.DEMO_PASSWORD_OPERATORE,
                         first_name="Operatore", last_name=f"Mensa {comune.nome}")
    incarico_assign(user=operatore, comune=comune, ruolo=Ruolo.OPERATORE_MENSA,
                    scuole=[scuole["infanzia"], scuole["primaria"]])
    logins.append(DemoLogin("ufficio scuola", comune.nome, ufficio.email, data.DEMO_PASSWORD_STAFF,
                            login_url))  # lands on the cruscotto (comuni.access.staff_home_url)
    logins.append(DemoLogin("operatore mensa", comune.nome, operatore.email, data.DEMO_PASSWORD_OPERATORE,
                            login_url))
    seed_mensa(comune=comune, anno=anno, scuole=scuole)
    from .pagamenti import demo_pagamenti_seed

    demo_pagamenti_seed(comune)
    logins.extend(seed_trasporto(comune=comune, anno=anno, scuole=[scuole["primaria"], scuole["secondaria"]]))
    return logins


@transaction.atomic
def demo_seed() -> list[DemoLogin]:
    """Create or refresh the demo comuni; running it again changes nothing but passwords."""
    with scopes_disabled():
        logins: list[DemoLogin] = []
        for spec in data.COMUNI:
            logins.extend(_seed_comune(spec))
        seed_menu()
        from .iscrizioni import seed_iscrizioni

        seed_iscrizioni()
        from .conservazione import demo_conservazione_seed

        demo_conservazione_seed()
        app_demo_seed()
        from .ufficio import demo_ufficio_seed

        demo_ufficio_seed()
        from .avvisi import demo_avvisi_seed

        demo_avvisi_seed()
        _account("admin@omnibus.example", data.DEMO_PASSWORD_ADMIN, is_staff=True, is_superuser=True,
                 first_name="Amministratore", last_name="Piattaforma")
        logins.append(DemoLogin("amministratore piattaforma", "tutti", "admin@omnibus.example",
                                data.DEMO_PASSWORD_ADMIN, "/admin/"))
        # A third comune half-way through its switch-over onto Omnibus (attivazione).
        from .attivazione import demo_attivazione_seed

        logins.extend(demo_attivazione_seed())
        # Last, once every paid position exists: the FdR file to import, in var/demo/fdr/.
        from .riconciliazione import demo_riconciliazione_seed

        demo_riconciliazione_seed()
        # As the hourly job would: the accounts' sums the office's lists start from.
        from pagamenti.consolidamento import saldi_consolida

        saldi_consolida()
    return logins

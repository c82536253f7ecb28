"""factory_boy factories. Rows are created inside their comune's scope, like the app does."""

from __future__ import annotations

import datetime
import itertools

import factory
from allauth.account.models import EmailAddress
from codicefiscale import codicefiscale
from django_scopes import scope

from comuni.models import Comune, User
from consumatori.models import AnnoScolastico, Classe, Consumatore, Scuola, TipoScuola, Tutore

_birthdays = itertools.count()


def cf_for(cognome: str, nome: str, sesso: str = "M", nascita: datetime.date | None = None) -> str:
    nascita = nascita or datetime.date(2017, 1, 1) + datetime.timedelta(days=next(_birthdays))
    return codicefiscale.encode(
        lastname=cognome, firstname=nome, gender=sesso, birthdate=nascita.isoformat(), birthplace="Taranto"
    )


class ScopedFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with scope(comune=kwargs["comune"]):
            return super()._create(model_class, *args, **kwargs)


class ComuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comune
        django_get_or_create = ["slug"]

    nome = "Leporano"
    slug = factory.LazyAttribute(lambda o: o.nome.lower().replace(" ", "-"))
    codice_fiscale = "80009290737"
    provincia = "TA"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"utente{n}@example.org")
    first_name = "Maria"
    last_name = "Rossi"
    password = factory.PostGenerationMethodCall("set_password", "Password-di-prova-1")

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class AnnoScolasticoFactory(ScopedFactory):
    class Meta:
        model = AnnoScolastico
        django_get_or_create = ["comune", "nome"]

    comune = factory.SubFactory(ComuneFactory)
    nome = "2026/27"
    data_inizio = datetime.date(2026, 9, 14)
    data_fine = datetime.date(2027, 6, 9)


class ScuolaFactory(ScopedFactory):
    class Meta:
        model = Scuola

    comune = factory.SubFactory(ComuneFactory)
    nome = factory.Sequence(lambda n: f"Scuola primaria «Plesso {n}»")
    tipo = TipoScuola.PRIMARIA


class ClasseFactory(ScopedFactory):
    class Meta:
        model = Classe

    comune = factory.SubFactory(ComuneFactory)
    scuola = factory.SubFactory(ScuolaFactory, comune=factory.SelfAttribute("..comune"))
    anno_scolastico = factory.SubFactory(AnnoScolasticoFactory, comune=factory.SelfAttribute("..comune"))
    anno = 3
    sezione = "B"


class ConsumatoreFactory(ScopedFactory):
    class Meta:
        model = Consumatore

    comune = factory.SubFactory(ComuneFactory)
    nome = "Giulia"
    cognome = factory.Sequence(lambda n: f"Caramia{'abcdefghij'[n % 10]}")
    data_nascita = datetime.date(2018, 3, 4)
    codice_fiscale = factory.LazyAttribute(lambda o: cf_for(o.cognome, o.nome, "F"))
    classe = factory.SubFactory(ClasseFactory, comune=factory.SelfAttribute("..comune"))


class TutoreFactory(ScopedFactory):
    class Meta:
        model = Tutore

    comune = factory.SubFactory(ComuneFactory)
    consumatore = factory.SubFactory(ConsumatoreFactory, comune=factory.SelfAttribute("..comune"))
    nome = "Maria"
    cognome = "Rossi"
    codice_fiscale = ""


TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # base32; tests compute codes with allauth.mfa.totp.internal.auth


def totp_activate(user: User, secret: str = TOTP_SECRET):
    """Give an account a TOTP authenticator, as the setup page would."""
    from allauth.mfa.totp.internal.auth import TOTP

    return TOTP.activate(user, secret).instance

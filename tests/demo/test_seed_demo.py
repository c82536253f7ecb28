from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from comuni.models import Comune, Incarico, Ruolo, User
from consumatori.models import Consumatore, Tutore
from demo import data
from mensa.models import IscrizioneMensa, Sospensione
from pagamenti.models import Servizio
from pagamenti.selectors import saldo


def counts():
    with scopes_disabled():
        return (Comune.objects.count(), Consumatore.objects.count(), Tutore.objects.count(), User.objects.count())


def test_seed_demo_creates_two_comuni_and_is_idempotent(db, capsys):
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    output = capsys.readouterr().out
    assert "ruolo" in output and "password" in output
    assert data.DEMO_PASSWORD_FAMIGLIA in output and "/login/leporano/" in output


def test_each_demo_comune_is_complete(db):
    call_command("seed_demo")
    # Faggiano (demo/attivazione.py) is half-way through its activation: no registry yet.
    for comune in Comune.objects.exclude(slug="faggiano"):
        with scope(comune=comune):
            consumatori = Consumatore.objects.select_related("classe__scuola")
            assert consumatori.count() >= 60
            assert {c.classe.scuola.tipo for c in consumatori} == {"infanzia", "primaria", "secondaria"}
            assert consumatori.filter(dieta_speciale=True).exists()
        roles = set(Incarico.objects.filter(comune=comune).values_list("ruolo", flat=True))
        assert roles == {Ruolo.UFFICIO_SCUOLA, Ruolo.OPERATORE_MENSA}
        with scope(comune=comune):
            # A comune a newcomer recognises: a few children suspended for debt (the debtors' page, the
            # reminders and the suspension notices have something to show), not a third of the canteen.
            iscritti = IscrizioneMensa.objects.values("consumatore").distinct().count()
            sospesi = Sospensione.objects.filter(al__isnull=True).count()
            debitori = sum(1 for c in Consumatore.objects.all() if saldo(consumatore=c, servizio=Servizio.MENSA) < 0)
        assert 1 <= sospesi <= 5 and sospesi <= debitori <= 8 and iscritti >= 60


def test_the_demo_family_logs_in_and_sees_its_children(client, db):
    call_command("seed_demo")
    leporano = Comune.objects.get(slug="leporano")
    with scope(comune=leporano):
        tutore = Tutore.objects.filter(utente__isnull=False).select_related("utente").order_by("pk").first()
        children = list(Consumatore.objects.filter(tutori__utente=tutore.utente))
    assert 1 <= len(children) <= 3
    response = client.post("/login/leporano/", {"login": tutore.utente.email, "password": data.DEMO_PASSWORD_FAMIGLIA})
    assert response["Location"] == "/leporano/"
    body = client.get("/leporano/").content.decode()
    for child in children:
        assert child.nome in body


def test_the_demo_staff_opens_the_admin_once_it_has_a_second_factor(client, db):
    from comuni.models import User
    from tests.factories import totp_activate

    call_command("seed_demo")
    assert client.login(email="ufficio.scuola@leporano.example", password=data.DEMO_PASSWORD_STAFF)
    assert client.get("/admin/consumatori/consumatore/")["Location"] == "/accounts/2fa/totp/activate/"
    totp_activate(User.objects.get(email="ufficio.scuola@leporano.example"))
    # A factor set up elsewhere does not open a session that never passed it: the next login does.
    assert client.get("/admin/consumatori/consumatore/").status_code == 302
    assert client.login(email="ufficio.scuola@leporano.example", password=data.DEMO_PASSWORD_STAFF)
    assert client.get("/admin/consumatori/consumatore/").status_code == 200

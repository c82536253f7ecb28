"""A family or a staff member of one comune never sees another comune's data."""

import pytest
from django.urls import reverse
from django_scopes import ScopeError, scope

from consumatori.models import Classe, Consumatore, Scuola, Tutore


def test_a_query_outside_any_scope_raises_instead_of_leaking(alice_children):
    with pytest.raises(ScopeError):
        list(Consumatore.objects.all())


def test_a_scoped_query_sees_only_its_comune(leporano, alice_children, charlie_child):
    with scope(comune=leporano):
        assert set(Consumatore.objects.all()) == set(alice_children)


# The portal ---------------------------------------------------------------------------------------

def test_a_family_lists_only_its_children(client, alice, alice_children, charlie_child):
    client.force_login(alice)
    body = client.get("/leporano/").content.decode()
    assert "Sofia Lacaita" in body and "Leonardo Lacaita" in body
    assert "Tommaso" not in body


def test_a_family_cannot_open_a_child_of_another_comune_by_id(client, alice, charlie_child):
    client.force_login(alice)
    for slug in ("leporano", "pulsano"):
        url = reverse("cittadino:consumatore", kwargs={"comune": slug, "pk": charlie_child.pk})
        assert client.get(url).status_code == 404


def test_a_family_cannot_open_another_familys_child_in_the_same_comune(client, alice, leporano):
    from tests.factories import ConsumatoreFactory, TutoreFactory, UserFactory

    neighbour = UserFactory(email="vicina@example.org")
    child = ConsumatoreFactory(comune=leporano, nome="Gaia", cognome="Stasi")
    TutoreFactory(comune=leporano, consumatore=child, utente=neighbour)
    client.force_login(alice)
    url = reverse("cittadino:consumatore", kwargs={"comune": "leporano", "pk": child.pk})
    assert client.get(url).status_code == 404


def test_a_family_sees_no_children_in_a_comune_it_is_not_linked_to(client, alice, charlie_child):
    client.force_login(alice)
    body = client.get("/pulsano/").content.decode()
    assert "Nessun consumatore associato" in body
    assert "Tommaso" not in body and "Sofia" not in body


# The admin ----------------------------------------------------------------------------------------

MODELS = [("consumatori", "consumatore"), ("consumatori", "scuola"), ("consumatori", "classe"),
          ("consumatori", "tutore"), ("consumatori", "annoscolastico")]


@pytest.mark.parametrize("app,model", MODELS)
def test_staff_lists_only_their_comune_in_the_admin(client, bob, alice_children, charlie_child, app, model):
    client.force_login(bob)
    response = client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Semeraro" not in body and "De Amicis" not in body


def test_staff_see_their_own_consumers_in_the_admin(client, bob, alice_children):
    client.force_login(bob)
    body = client.get(reverse("admin:consumatori_consumatore_changelist")).content.decode()
    assert "Lacaita" in body


@pytest.mark.parametrize(
    "model,getter",
    [
        ("consumatore", lambda c: c),
        ("tutore", lambda c: Tutore.objects.get(consumatore=c)),
        ("classe", lambda c: c.classe),
        ("scuola", lambda c: c.classe.scuola),
    ],
)
def test_staff_cannot_open_another_comunes_object_by_id(client, bob, pulsano, charlie_child, model, getter):
    with scope(comune=pulsano):
        obj = getter(charlie_child)
    client.force_login(bob)
    for view in ("change", "delete", "history"):
        url = reverse(f"admin:consumatori_{model}_{view}", args=[obj.pk])
        assert client.get(url).status_code == 404, url
    response = client.post(reverse(f"admin:consumatori_{model}_change", args=[obj.pk]), {"nome": "x"})
    assert response.status_code == 404


def test_staff_cannot_see_another_comune_itself(client, bob, pulsano, leporano):
    client.force_login(bob)
    assert client.get(reverse("admin:comuni_comune_change", args=[pulsano.pk])).status_code == 404
    body = client.get(reverse("admin:comuni_comune_changelist")).content.decode()
    assert "Leporano" in body and "Pulsano" not in body


def test_staff_cannot_manage_accounts_or_roles(client, bob):
    client.force_login(bob)
    assert client.get(reverse("admin:comuni_user_changelist")).status_code == 403
    assert client.get(reverse("admin:comuni_incarico_changelist")).status_code == 403


def test_a_new_school_added_by_staff_belongs_to_their_comune(client, bob, leporano, pulsano):
    client.force_login(bob)
    response = client.post(
        reverse("admin:consumatori_scuola_add"),
        {"nome": "Scuola primaria «Nuovo plesso»", "tipo": "primaria", "comune": pulsano.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with scope(comune=leporano):
        assert Scuola.objects.get(nome="Scuola primaria «Nuovo plesso»").comune == leporano


def test_the_class_choices_of_a_consumer_are_only_of_the_staff_comune(client, bob, alice_children, charlie_child):
    client.force_login(bob)
    body = client.get(reverse("admin:consumatori_consumatore_add")).content.decode()
    assert "Giovanni XXIII" in body
    assert "De Amicis" not in body


def test_staff_cannot_attach_a_consumer_to_a_class_of_another_comune(client, bob, leporano, pulsano, charlie_child):
    with scope(comune=pulsano):
        foreign_class = Classe.objects.get()
    client.force_login(bob)
    response = client.post(
        reverse("admin:consumatori_consumatore_add"),
        {"nome": "Ada", "cognome": "Leone", "codice_fiscale": "LNEDAA18C44L049K", "data_nascita": "2018-03-04",
         "classe": foreign_class.pk, "attivo": "on",
         "tutori-TOTAL_FORMS": "0", "tutori-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 200
    assert "classe" in response.context["adminform"].form.errors


def test_a_platform_administrator_sees_every_comune(client, admin_user, alice_children, charlie_child):
    client.force_login(admin_user)
    body = client.get(reverse("admin:consumatori_consumatore_changelist")).content.decode()
    assert "Lacaita" in body and "Semeraro" in body

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD


def test_the_login_page_is_branded_with_the_comune(client, leporano):
    response = client.get("/login/leporano/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Comune di Leporano" in body
    assert "Entra con la tua identità digitale" in body


def test_it_logs_in_and_lands_in_cittadino(client, alice):
    response = client.post("/login/leporano/", {"login": "alice@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/leporano/"
    page = client.get("/leporano/")
    assert page.status_code == 200
    assert "CITTADINO" in page.content.decode()


def test_the_email_is_case_insensitive(client, alice):
    response = client.post("/login/leporano/", {"login": "Alice@Example.org", "password": PASSWORD})
    assert response["Location"] == "/leporano/"


def test_a_wrong_password_gets_a_clear_italian_message(client, alice):
    response = client.post("/login/leporano/", {"login": "alice@example.org", "password": "sbagliata"})
    assert response.status_code == 200
    assert "Credenziali non valide" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_unknown_email_gets_the_same_message(client, leporano):
    response = client.post("/login/leporano/", {"login": "nessuno@example.org", "password": "sbagliata"})
    assert "Credenziali non valide" in response.content.decode()


def test_an_unknown_comune_is_a_404_page(client, leporano):
    response = client.get("/login/zzzz/")
    assert response.status_code == 404
    assert "Pagina non trovata" in response.content.decode()


def test_an_unknown_comune_area_is_a_404_page(client, alice):
    client.force_login(alice)
    assert client.get("/zzzz/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_of_the_comune(client, leporano):
    response = client.get("/leporano/")
    assert response.status_code == 302
    assert response["Location"] == "/login/leporano/?next=%2Fleporano%2F"


def test_the_next_url_is_honoured_after_login(client, alice, alice_children):
    target = reverse("cittadino:consumatore", kwargs={"comune": "leporano", "pk": alice_children[0].pk})
    response = client.post(
        "/login/leporano/", {"login": "alice@example.org", "password": PASSWORD, "next": target}
    )
    assert response["Location"] == target


def test_an_external_next_url_is_ignored(client, alice):
    response = client.post(
        "/login/leporano/", {"login": "alice@example.org", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/leporano/"


def test_a_logged_in_family_opening_the_login_goes_to_cittadino(client, alice):
    client.force_login(alice)
    assert client.get("/login/leporano/")["Location"] == "/leporano/"


def test_logout_returns_to_the_login_of_the_comune(client, alice):
    client.force_login(alice)
    response = client.post(reverse("account_logout"), {"next": "/login/leporano/"})
    assert response.status_code == 302
    assert response["Location"] == "/login/leporano/"
    assert "_auth_user_id" not in client.session
    assert client.get("/leporano/").status_code == 302


@pytest.mark.parametrize("method", ["get"])
def test_logout_is_not_done_by_a_get(client, alice, method):
    client.force_login(alice)
    client.get(reverse("account_logout"))
    assert "_auth_user_id" in client.session


def test_the_portal_speaks_italian_even_to_an_english_browser(client, alice):
    response = client.post(
        "/login/leporano/", {"login": "alice@example.org", "password": PASSWORD}, follow=True,
        HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9",
    )
    body = response.content.decode()
    assert "Ti sei collegato con successo come Alice Lacaita" in body
    assert "Successfully signed in" not in body
    assert response["Content-Language"] == "it"


def test_english_is_used_when_the_family_chooses_it(client, leporano):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/leporano/"})
    response = client.get("/login/leporano/")
    assert response["Content-Language"] == "en"

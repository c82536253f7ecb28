"""allauth's pages in Italian and Bootstrap Italia; sign-up only from a comune's page."""

import pytest


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/accounts/password/reset/", "/registrati/leporano/", "/privacy/leporano/"]
)
def test_the_account_pages_render_in_italian(client, leporano, url):
    response = client.get(url)
    assert response.status_code == 200
    assert 'lang="it"' in response.content.decode()


def test_the_generic_signup_is_closed_families_register_from_their_comune(client, leporano):
    assert "Registrati dalla pagina del tuo comune" in client.get("/accounts/signup/").content.decode()
    client.post("/accounts/signup/", {"email": "x@example.org", "password1": "Abc-12345-xyz",
                                      "password2": "Abc-12345-xyz"})
    from comuni.models import User

    assert not User.objects.filter(email="x@example.org").exists()

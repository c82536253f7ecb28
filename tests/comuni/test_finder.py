import pytest
from django.urls import reverse

from comuni.selectors import comune_search


@pytest.mark.parametrize("typed", ["lepo", "LEPO", "Lepo", " lepo ", "Comune di Lepo"])
def test_it_finds_leporano_by_its_first_letters(leporano, pulsano, typed):
    assert list(comune_search(query=typed)) == [leporano]


@pytest.mark.parametrize("typed", ["zzzz", "", "l", "orano"])
def test_it_finds_nothing_for_other_text(leporano, pulsano, typed):
    assert list(comune_search(query=typed)) == []


def test_it_hides_inactive_comuni(leporano):
    leporano.attivo = False
    leporano.save()
    assert list(comune_search(query="lepo")) == []


def test_the_finder_fragment_links_to_the_login_page(client, leporano, pulsano):
    response = client.get(reverse("comune_finder"), {"q": "LEPO"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'href="/login/leporano/"' in response.content.decode()
    assert "Pulsano" not in response.content.decode()


def test_the_finder_says_when_nothing_matches(client, leporano):
    response = client.get(reverse("comune_finder"), {"q": "zzzz"})
    assert "Nessun comune trovato" in response.content.decode()
    assert "/login/" not in response.content.decode()


def test_the_landing_page_works_without_javascript(client, leporano):
    response = client.get("/", {"q": "lepo"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "primi 4 caratteri" in body
    assert 'href="/login/leporano/"' in body

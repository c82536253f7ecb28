from django.urls import reverse


def test_cittadino_lists_children_with_school_class_and_section(client, alice, alice_children):
    client.force_login(alice)
    response = client.get("/leporano/")
    assert response.status_code == 200
    body = response.content.decode()
    for child in alice_children:
        assert f"{child.nome} {child.cognome}" in body
        assert reverse("cittadino:consumatore", kwargs={"comune": "leporano", "pk": child.pk}) in body
    assert "Scuola primaria «Giovanni XXIII»" in body
    assert "Classe 3ª – sezione B" in body
    assert ">Dettaglio<" in body


def test_cittadino_runs_a_fixed_number_of_queries(client, alice, leporano, settings, django_assert_num_queries):
    settings.FAMILY_PAGE_CACHE_SECONDS = 0  # the render path; hits: tests/consumatori/test_page_cache.py
    from tests.factories import ConsumatoreFactory, TutoreFactory

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    client.force_login(alice)
    client.get("/leporano/")
    # 1 session, 2 user, 3 consumers with class, school and year, 4 the enrolment windows open today
    # ("Iscrizioni"); the comune of the URL is cached.
    with django_assert_num_queries(4):
        client.get("/leporano/")
    for n in range(3):
        child = ConsumatoreFactory(comune=leporano, nome=f"Figlio{n}", cognome="Lacaita")
        TutoreFactory(comune=leporano, consumatore=child, utente=alice)
    with django_assert_num_queries(4):
        response = client.get("/leporano/")
    assert response.content.decode().count(">Dettaglio<") == 5


def test_the_detail_shows_school_class_and_section(client, alice, alice_children):
    client.force_login(alice)
    child = alice_children[0]
    response = client.get(reverse("cittadino:consumatore", kwargs={"comune": "leporano", "pk": child.pk}))
    body = response.content.decode()
    assert response.status_code == 200
    assert child.nome in body
    assert "Scuola primaria «Giovanni XXIII»" in body
    assert "<dd class=\"col-sm-9\">3ª</dd>" in body
    assert "<dd class=\"col-sm-9\">B</dd>" in body
    assert "2026/27" in body


def test_the_payment_code_is_random_and_unique(alice_children):
    codes = {c.codice_pagamento for c in alice_children}
    assert len(codes) == 2
    for code in codes:
        assert len(code) == 12
        assert str(alice_children[0].pk) != code


def test_an_infanzia_section_is_shown_without_a_class_number(client, alice, leporano):
    from tests.factories import ClasseFactory, ConsumatoreFactory, TutoreFactory

    sezione = ClasseFactory(comune=leporano, anno=None, sezione="C", scuola__tipo="infanzia")
    child = ConsumatoreFactory(comune=leporano, nome="Pietro", cognome="Lacaita", classe=sezione)
    TutoreFactory(comune=leporano, consumatore=child, utente=alice)
    client.force_login(alice)
    assert "Sezione C" in client.get("/leporano/").content.decode()


def test_the_cached_comune_follows_its_changes_and_never_crosses_comuni(client, leporano, pulsano, alice, charlie):
    from comuni.selectors import comune_attivo_by_slug

    client.force_login(alice)
    assert client.get("/leporano/").status_code == 200
    assert comune_attivo_by_slug(slug="leporano").pk == leporano.pk
    assert comune_attivo_by_slug(slug="pulsano").pk == pulsano.pk
    leporano.nome = "Leporano (TA)"
    leporano.save()
    assert comune_attivo_by_slug(slug="leporano").nome == "Leporano (TA)"
    assert "Leporano (TA)" in client.get("/leporano/").content.decode()
    leporano.attivo = False
    leporano.save()
    assert client.get("/leporano/").status_code == 404
    leporano.attivo, leporano.slug = True, "leporano-nuovo"
    leporano.save()
    assert client.get("/leporano/").status_code == 404
    assert client.get("/leporano-nuovo/").status_code == 200
    client.force_login(charlie)
    assert client.get("/pulsano/").status_code == 200

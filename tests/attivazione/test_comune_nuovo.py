"""A new comune: one admin form for the platform administrator, or `manage.py comune_nuovo`; the check digit
of the comune's codice fiscale is verified and the cut-off and thresholds keep the notices' defaults."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from comuni.models import Comune, Incarico, Ruolo


def test_the_command_creates_a_comune_with_the_notices_defaults(db, capsys):
    call_command("comune_nuovo", "--slug", "faggiano", "--nome", "Faggiano", "--codice-fiscale", "80009510738",
                 "--provincia", "TA", "--codice-ipa", "c_d463", "--email", "scuola@faggiano.example")
    comune = Comune.objects.get(slug="faggiano")
    assert (comune.codice_ipa, comune.ora_limite_disdetta, comune.soglia_sospensione_pasti,
            comune.soglia_avviso_pasti_debito) == ("c_d463", datetime.time(9, 0), 5, 2)
    assert "/login/faggiano/" in capsys.readouterr().out


def test_the_command_refuses_a_wrong_check_digit_and_names_the_field(db, capsys):
    with pytest.raises(CommandError):
        call_command("comune_nuovo", "--slug", "faggiano", "--nome", "Faggiano", "--codice-fiscale", "80009510739",
                     "--provincia", "TA")
    assert "codice_fiscale" in capsys.readouterr().err
    assert not Comune.objects.exists()


def test_the_admin_form_creates_the_comune_and_its_office_account(admin_user, bob):
    client = Client()
    client.force_login(admin_user)
    form = client.get("/admin/comuni/comune/add/")
    assert set(form.context["adminform"].form.fields) >= {"codice_ipa", "logo", "ufficio_email", "pec"}
    response = client.post("/admin/comuni/comune/add/", {
        "nome": "Faggiano", "slug": "faggiano", "codice_fiscale": "80009510738", "codice_ipa": "c_d463",
        "provincia": "TA", "ufficio_email": "Ufficio.Scuola@faggiano.example"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    comune = Comune.objects.get(slug="faggiano")
    incarico = Incarico.objects.get(comune=comune)
    assert (incarico.user.email, incarico.ruolo) == ("ufficio.scuola@faggiano.example", Ruolo.UFFICIO_SCUOLA)
    assert not incarico.user.has_usable_password()  # set with «Password dimenticata?»

    again = client.post("/admin/comuni/comune/add/", {
        "nome": "Faggiano bis", "slug": "faggiano-bis", "codice_fiscale": "80009510738", "provincia": "TA",
        "ufficio_email": bob.email})
    errors = again.context["adminform"].form.errors
    assert "codice_fiscale" in errors and "ufficio_email" in errors  # taken code; Leporano's office account


def test_office_staff_cannot_add_a_comune(bob):
    client = Client()
    client.force_login(bob)
    assert client.get("/admin/comuni/comune/add/").status_code == 403

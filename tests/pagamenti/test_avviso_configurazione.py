"""The avviso's settings in the comune's payment configuration: validated, each error naming its field,
nothing saved when one is wrong; an office account without a second factor never reaches them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from comuni.models import Ruolo
from comuni.services import incarico_assign
from pagamenti.models import CONTO_POSTALE_INCOMPLETO, LOGO_SVG_NON_VALIDO, ConfigurazionePagamenti
from tests.factories import UserFactory

from .conftest import configure

SVG_OK = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'
SVG_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _post(client, conf, **changes):
    url = reverse("admin:pagamenti_configurazionepagamenti_change", args=[conf.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data = {k: v for k, v in data.items() if k != "logo_avviso"}
    data.update(changes)
    return client.post(url, data)


def test_good_settings_are_saved_normalised(client, bob, leporano):
    conf = configure(leporano)
    client.force_login(bob)
    response = _post(client, conf, codice_cbill="a7lpn", conto_postale="1019748563", seconda_lingua="en",
                     intestatario_conto_postale="Comune di Leporano", autorizzazione_poste="aut. db/sisb/e 31567 del "
                     "14/03/2023", logo_avviso=SimpleUploadedFile("stemma.svg", SVG_OK, "image/svg+xml"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    with scope(comune=leporano):
        conf.refresh_from_db()
    assert (conf.codice_cbill, conf.conto_postale, conf.seconda_lingua) == ("A7LPN", "1019748563", "en")
    assert conf.autorizzazione_poste == "AUT. DB/SISB/E 31567 DEL 14/03/2023" and conf.logo_avviso.name.endswith(".svg")


def test_wrong_settings_name_their_field_and_save_nothing(client, bob, leporano):
    conf = configure(leporano)
    client.force_login(bob)
    cases = [
        ({"codice_cbill": "A7-L"}, "codice_cbill"),
        ({"conto_postale": "12AB"}, "conto_postale"),
        ({"conto_postale": "1019748563"}, "intestatario_conto_postale"),
        ({"seconda_lingua": "es"}, "seconda_lingua"),
        ({"logo_avviso": SimpleUploadedFile("stemma.svg", SVG_SCRIPT, "image/svg+xml")}, "logo_avviso"),
        ({"logo_avviso": SimpleUploadedFile("stemma.gif", b"GIF89a", "image/gif")}, "logo_avviso"),
        ({"conto_postale": "1019748563", "intestatario_conto_postale": "Comune di Leporano",
          "autorizzazione_poste": "autorizzata"}, "autorizzazione_poste"),
    ]
    for changes, field in cases:
        response = _post(client, conf, **changes)
        assert response.status_code == 200, changes
        assert field in response.context["adminform"].form.errors, (changes, response.context["adminform"].form.errors)
    errors = _post(client, conf, conto_postale="1019748563").context["adminform"].form.errors
    assert str(CONTO_POSTALE_INCOMPLETO) in errors["intestatario_conto_postale"]
    errors = _post(client, conf, logo_avviso=SimpleUploadedFile("x.svg", SVG_SCRIPT)).context["adminform"].form.errors
    assert str(LOGO_SVG_NON_VALIDO) in errors["logo_avviso"]
    with scope(comune=leporano):
        saved = ConfigurazionePagamenti.objects.get(pk=conf.pk)
    assert (saved.codice_cbill, saved.conto_postale, saved.seconda_lingua, saved.logo_avviso.name) == ("", "", "", "")


def test_staff_without_a_second_factor_never_reach_the_settings(client, leporano):
    conf = configure(leporano)
    user = UserFactory(email="nuovo.ufficio@example.org")
    incarico_assign(user=user, comune=leporano, ruolo=Ruolo.UFFICIO_SCUOLA)
    client.force_login(user)
    url = reverse("admin:pagamenti_configurazionepagamenti_change", args=[conf.pk])
    assert client.get(url).status_code in (302, 403)
    assert client.post(url, {"codice_cbill": "ZZZZZ"}).status_code in (302, 403)
    with scope(comune=leporano):
        assert ConfigurazionePagamenti.objects.get(pk=conf.pk).codice_cbill == ""

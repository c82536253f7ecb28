"""The comune's payment secrets are write-only in the admin: never shown, kept when left empty."""

from django.urls import reverse
from django_scopes import scope

from pagamenti.models import ConfigurazionePagamenti, TipoGateway

SECRET = "segreto-lis-molto-riservato"
API_KEY = "chiave-gpd-riservata-123"


def _configurazione(leporano):
    with scope(comune=leporano):
        return ConfigurazionePagamenti.objects.create(
            comune=leporano, gateway=TipoGateway.SANDBOX, codice_segregazione="02",
            iban="IT60X0542811101000000123456", lis_segreto=SECRET, gpd_api_key=API_KEY,
        )


def test_the_secrets_are_not_sent_to_the_browser(client, bob, leporano):
    conf = _configurazione(leporano)
    client.force_login(bob)
    body = client.get(reverse("admin:pagamenti_configurazionepagamenti_change", args=[conf.pk])).content.decode()
    assert SECRET not in body and API_KEY not in body
    assert "Lasciare vuoto per mantenere il valore salvato." in body


def test_saving_with_empty_secrets_keeps_them_and_a_new_one_replaces_it(client, bob, leporano):
    conf = _configurazione(leporano)
    client.force_login(bob)
    url = reverse("admin:pagamenti_configurazionepagamenti_change", args=[conf.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.pop("logo_avviso")  # a file field: left out of the post means "keep it"
    data.update(lis_segreto="", gpd_api_key="", codice_segregazione="03")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    with scope(comune=leporano):
        conf.refresh_from_db()
    assert (conf.lis_segreto, conf.gpd_api_key, conf.codice_segregazione) == (SECRET, API_KEY, "03")

    data.update(lis_segreto="nuovo-segreto-lis")
    assert client.post(url, data).status_code == 302
    with scope(comune=leporano):
        conf.refresh_from_db()
    assert conf.lis_segreto == "nuovo-segreto-lis" and conf.gpd_api_key == API_KEY

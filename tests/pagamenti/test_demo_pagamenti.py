"""The demo comuni pay through the sandbox and their families have past top-ups to look at."""

from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from comuni.models import Comune
from pagamenti.models import ConfigurazionePagamenti, Movimento, Posizione, StatoPosizione, TipoGateway


def test_seed_demo_configures_payments_and_past_topups_idempotently(db):
    call_command("seed_demo")
    with scopes_disabled():
        first = (Movimento.objects.count(), Posizione.objects.count())
    call_command("seed_demo")
    # Faggiano (demo/attivazione.py) is half-way through its activation: no registry yet.
    for comune in Comune.objects.exclude(slug="faggiano"):
        with scope(comune=comune):
            assert ConfigurazionePagamenti.objects.get().gateway == TipoGateway.SANDBOX
            assert Posizione.objects.filter(stato=StatoPosizione.PAGATA).exists()
    with scopes_disabled():
        assert (Movimento.objects.count(), Posizione.objects.count()) == first
        assert first[0] > 0
        # The avvisi as the pagoPA model: Leporano's CBILL code and postal account, Pulsano's English,
        # and a Leporano bus fee waiting to be paid by avviso.
        leporano = ConfigurazionePagamenti.objects.get(comune__slug="leporano")
        assert leporano.codice_cbill and leporano.conto_postale and leporano.autorizzazione_poste
        assert ConfigurazionePagamenti.objects.get(comune__slug="pulsano").seconda_lingua == "en"
        assert Posizione.objects.filter(comune__slug="leporano", stato=StatoPosizione.IN_ATTESA,
                                        righe__servizio="trasporto", modalita="avviso").exists()

"""FdR from the gateway's folder (beat task) and from `manage.py fdr_import`."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scope, scopes_disabled

from pagamenti.riconciliazione.models import FlussoRendicontazione, OrigineFlusso, StatoRiconciliazione
from pagamenti.riconciliazione.tasks import fdr_cartella_import

from .conftest import configure
from .fdr import flow_xml, paid_position, voce


@pytest.fixture
def flows(tmp_path, leporano, pulsano, alice, alice_children, charlie, charlie_child, config_leporano):
    configure(pulsano, codice_segregazione="03")
    lep = paid_position(leporano, alice, alice_children[0], "25.00")
    pul = paid_position(pulsano, charlie, charlie_child, "30.00")
    (tmp_path / "a-leporano.xml").write_bytes(flow_xml([voce(lep.iuv, "25.00")], identificativo="FL-LEP"))
    (tmp_path / "b-pulsano.xml").write_bytes(flow_xml([voce(pul.iuv, "30.00")], ente=pulsano.codice_fiscale,
                                                      identificativo="FL-PUL"))
    (tmp_path / "c-rotto.xml").write_bytes(b"<FlussoRiversamento><identificativoFlusso>")
    (tmp_path / "d-ignoto.xml").write_bytes(flow_xml([voce(lep.iuv, "25.00")], ente="00000000000",
                                                     identificativo="FL-X"))
    (tmp_path / "leggimi.txt").write_text("non un flusso")
    return tmp_path


def test_the_beat_task_imports_each_flow_for_its_comune_and_moves_the_files(settings, flows, leporano, pulsano):
    settings.FDR_IMPORT_DIR = str(flows)
    assert fdr_cartella_import() == 2
    with scopes_disabled():
        imported = dict(FlussoRendicontazione.objects.values_list("identificativo", "comune__slug"))
        assert imported == {"FL-LEP": "leporano", "FL-PUL": "pulsano"}
        assert set(FlussoRendicontazione.objects.values_list("origine", flat=True)) == {OrigineFlusso.CARTELLA}
        assert FlussoRendicontazione.objects.get(identificativo="FL-PUL").pagamenti.get().stato == \
            StatoRiconciliazione.RICONCILIATO
    assert sorted(p.name for p in (flows / "importati").iterdir()) == ["a-leporano.xml", "b-pulsano.xml"]
    errors = (flows / "scartati" / "d-ignoto.xml.errori.txt").read_text()
    assert "Nessun comune attivo ha il codice fiscale 00000000000" in errors
    assert "non è XML ben formato" in (flows / "scartati" / "c-rotto.xml.errori.txt").read_text()
    assert (flows / "leggimi.txt").exists()
    assert fdr_cartella_import() == 0  # nothing left to import


def test_the_command_imports_a_folder_and_reports_what_it_refused(flows, capsys, leporano):
    with pytest.raises(CommandError, match="2 file rifiutati"):
        call_command("fdr_import", str(flows))
    out, err = capsys.readouterr()
    assert "a-leporano.xml: importato FL-LEP (leporano), 1 pagamenti, 0 anomalie" in out
    assert "c-rotto.xml: RIFIUTATO" in err
    call_command("fdr_import", str(flows / "a-leporano.xml"))
    assert "già importato FL-LEP" in capsys.readouterr().out
    with scopes_disabled():
        assert FlussoRendicontazione.objects.count() == 2
    assert (flows / "a-leporano.xml").exists()  # by hand, files stay where they are


def test_the_command_with_a_comune_refuses_another_comunes_flow(flows, capsys, leporano):
    with pytest.raises(CommandError, match="1 file rifiutati"):
        call_command("fdr_import", str(flows / "b-pulsano.xml"), "--comune", "leporano")
    assert "non per il comune indicato" in capsys.readouterr().err
    with scope(comune=leporano):
        assert not FlussoRendicontazione.objects.exists()
    with pytest.raises(CommandError, match="inesistente"):
        call_command("fdr_import", str(flows / "manca.xml"))

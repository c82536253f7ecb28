"""Readiness: what a comune needs before families are told. Each item done or not, with where to fix it.
A fixed number of queries (about 15), whatever the comune's size."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from comuni.models import Comune, Incarico, Ruolo
from consumatori.models import Consumatore
from mensa.models import Calendario, Chiusura, PrezzoTariffa
from notifiche.models import ServizioIO
from pagamenti.models import ConfigurazionePagamenti, Movimento, TipoGateway
from pagamenti.saldi_iniziali import CHIAVE_SALDO_INIZIALE
from pwa.models import DichiarazioneAccessibilita
from trasporto.models import TariffaTrasporto
from ufficio.models import Esportazione, StatoEsportazione

from .anagrafe.importa import anno_corrente
from .models import ImportazioneAnagrafe, StatoImportazione, VerificaCollegamento

LETTERE_FAMIGLIE = "lettere_famiglie"  # Esportazione.report of the families' letters


@dataclass(frozen=True)
class Voce:
    chiave: str
    titolo: str
    fatto: bool
    dettaglio: str
    url: str
    facoltativa: bool = False


def _admin(name: str) -> str:
    return reverse(f"admin:{name}")


def voci(*, comune: Comune) -> list[Voce]:
    anno = anno_corrente(comune)
    calendario = Calendario.objects.filter(comune=comune, anno_scolastico=anno).first() if anno else None
    chiusure = anno is not None and Chiusura.objects.filter(
        comune=comune, data_inizio__lte=anno.data_fine, data_fine__gte=anno.data_inizio).exists()
    patrono = calendario is not None and bool(calendario.santo_patrono and calendario.festa_patronale)
    scuole_calendario = calendario.scuole.count() if calendario else 0
    config = ConfigurazionePagamenti.objects.filter(comune=comune).first()
    verifica = VerificaCollegamento.objects.filter(comune=comune).first()
    tariffe_mensa = PrezzoTariffa.objects.filter(comune=comune).exists()
    tariffe_trasporto = TariffaTrasporto.objects.filter(comune=comune).exists()
    ufficio_2fa = Authenticator.objects.filter(
        type=Authenticator.Type.TOTP, user__incarico__comune=comune,
        user__incarico__ruolo=Ruolo.UFFICIO_SCUOLA).exists()
    ufficio = Incarico.objects.filter(comune=comune, ruolo=Ruolo.UFFICIO_SCUOLA).count()
    importata = ImportazioneAnagrafe.objects.filter(comune=comune, stato=StatoImportazione.APPLICATA).first()
    alunni = Consumatore.objects.filter(comune=comune).count()
    saldi = Movimento.objects.filter(comune=comune, chiave=CHIAVE_SALDO_INIZIALE).count()
    lettere = Esportazione.objects.defer("contenuto").filter(
        comune=comune, report=LETTERE_FAMIGLIE, stato=StatoEsportazione.COMPLETATO).first()
    accessibilita = DichiarazioneAccessibilita.objects.filter(comune=comune).exclude(testo="").exists()
    io = ServizioIO.objects.filter(comune=comune, attivo=True).exclude(api_key="").exists()

    gpd = config is not None and config.gateway == TipoGateway.GPD
    if verifica is None:
        pagopa = _("Configurazione da verificare con «Verifica collegamento».") if gpd else _(
            "Il gateway è la sandbox di prova: scegliere «pagoPA GPD» e inserire URL e chiave.")
    else:
        pagopa = _("Ultima verifica %(quando)s: GPD %(gpd)s, Checkout %(checkout)s.") % {
            "quando": f"{verifica.eseguita_il:%d/%m/%Y %H:%M}", "gpd": verifica.gpd, "checkout": verifica.checkout}
    config_url = (reverse("admin:pagamenti_configurazionepagamenti_change", args=[config.pk]) if config
                  else _admin("pagamenti_configurazionepagamenti_add"))
    return [
        Voce("anno", _("Anno scolastico con calendario, santo patrono e chiusure"),
             bool(anno and calendario and patrono and chiusure and scuole_calendario),
             _("Anno %(anno)s: calendario %(cal)s, %(n)s scuole con il calendario, patrono %(patrono)s, "
               "chiusure %(chiusure)s.") % {
                 "anno": anno or "—", "cal": _("sì") if calendario else _("no"), "n": scuole_calendario,
                 "patrono": _("sì") if patrono else _("no"), "chiusure": _("sì") if chiusure else _("no")},
             _admin("mensa_calendario_changelist")),
        Voce("tariffe", _("Tariffe di ogni servizio"), tariffe_mensa and tariffe_trasporto,
             _("Mensa: %(m)s; trasporto: %(t)s.") % {"m": _("sì") if tariffe_mensa else _("no"),
                                                     "t": _("sì") if tariffe_trasporto else _("no")},
             _admin("mensa_tariffa_changelist")),
        Voce("pagopa", _("Configurazione pagoPA verificata"), gpd and verifica is not None and verifica.riuscita,
             pagopa, config_url),
        Voce("puntolis", _("Segreto PuntoLIS"), bool(config and config.lis_segreto),
             _("Impostato.") if config and config.lis_segreto else _("Da inserire nella configurazione pagamenti."),
             config_url),
        Voce("privacy", _("Informativa privacy"), bool(comune.informativa_privacy.strip()),
             _("Versione %(v)s.") % {"v": comune.informativa_privacy_versione} if comune.informativa_privacy.strip()
             else _("Da scrivere nella scheda del comune."),
             reverse("admin:comuni_comune_change", args=[comune.pk])),
        Voce("accessibilita", _("Dichiarazione di accessibilità"), accessibilita,
             _("Pubblicata.") if accessibilita else _("Da scrivere."),
             _admin("pwa_dichiarazioneaccessibilita_changelist")),
        Voce("io", _("Chiave del servizio su App IO (facoltativa)"), io,
             _("Configurata.") if io else _("Non configurata: i messaggi vanno per e-mail e nel portale."),
             _admin("notifiche_servizioio_changelist"), facoltativa=True),
        Voce("ufficio", _("Almeno un account dell'ufficio con il secondo fattore"), ufficio_2fa,
             _("%(n)s account dell'ufficio scuola.") % {"n": ufficio}, reverse("mfa_index")),
        Voce("anagrafe", _("Anagrafe importata"), importata is not None or alunni > 0,
             _("%(n)s alunni nel portale.") % {"n": alunni}, _admin("attivazione_importa")),
        Voce("saldi", _("Saldi iniziali importati"), saldi > 0, _("%(n)s saldi iniziali.") % {"n": saldi},
             _admin("pagamenti_import_saldi")),
        Voce("lettere", _("Lettere alle famiglie prodotte"), lettere is not None,
             _("Prodotte il %(quando)s.") % {"quando": f"{lettere.completato_il:%d/%m/%Y %H:%M}"} if lettere
             else _("Da produrre: un PDF per famiglia, inviato per e-mail a chi ha un indirizzo."),
             reverse("attivazione:lettere", kwargs={"comune": comune.slug})),
    ]

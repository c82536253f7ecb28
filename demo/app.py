"""Demo of the app (PWA): each comune's accessibility statement. App IO is left unconfigured on
purpose: staff see every IO message as "chiave API mancante o rifiutata" while e-mail and push go."""

from __future__ import annotations

from comuni.models import Comune
from pwa.models import DichiarazioneAccessibilita

DICHIARAZIONE = """Il {comune} si impegna a rendere accessibile il portale dei servizi scolastici, \
conformemente al decreto legislativo 10 agosto 2004, n. 106 e alle Linee guida sull'accessibilità degli \
strumenti informatici dell'AgID.

Stato di conformità: il portale è parzialmente conforme ai requisiti della norma UNI CEI EN 301549 \
(WCAG 2.1 livello AA). I documenti PDF degli avvisi di pagamento generati prima del 2026 potrebbero non \
essere pienamente accessibili.

Redazione della dichiarazione: la dichiarazione è stata redatta il 30 novembre 2026 sulla base di una \
verifica con strumenti automatici (axe-core) e di una verifica manuale con lettore di schermo e con \
ingrandimento al 200%.

Meccanismo di feedback: per segnalare contenuti non accessibili scrivere all'ufficio scuola del comune; \
la risposta arriva entro 30 giorni. In caso di risposta insoddisfacente è possibile rivolgersi al \
Difensore civico per il digitale dell'AgID."""


def app_demo_seed() -> None:
    """Create the statements once (staff may edit them later: an existing text is left alone)."""
    for comune in Comune.objects.filter(slug__in=["leporano", "pulsano"]):
        DichiarazioneAccessibilita.objects.get_or_create(
            comune=comune, defaults={"testo": DICHIARAZIONE.format(comune=comune),
                                     "url_feedback": "https://form.agid.gov.it/"})

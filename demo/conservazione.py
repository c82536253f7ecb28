"""Demo: Leporano's retention of the applications' data set by its office, and one certificate download in the
log the office reads in the admin (Iscrizioni → Download dei certificati medici)."""

from __future__ import annotations

from comuni.models import Comune, Incarico, Ruolo
from iscrizioni.models import AccessoCertificato, ConservazioneDati, Domanda, StatoDomanda


def demo_conservazione_seed() -> None:
    """Idempotent: the settings once, one download once (run inside scopes_disabled, like the rest of the demo)."""
    comune = Comune.objects.filter(slug="leporano").first()
    if comune is None:
        return
    ConservazioneDati.objects.get_or_create(comune=comune, defaults={
        "certificati_giorni": 30, "domande_mesi": 24, "accessi_mesi": 24})
    staff = Incarico.objects.filter(comune=comune, ruolo=Ruolo.UFFICIO_SCUOLA).select_related("user").first()
    domanda = (Domanda.objects.filter(comune=comune, stato=StatoDomanda.INVIATA).exclude(certificato="")
               .order_by("pk").first())
    if staff is None or domanda is None or AccessoCertificato.objects.filter(comune=comune).exists():
        return
    AccessoCertificato.objects.create(comune=comune, domanda=domanda, protocollo=domanda.protocollo, utente=staff.user)

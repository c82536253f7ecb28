"""Writes of the family's application: the draft, "Invia", the withdrawal."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuni.models import User
from consumatori.models import AnnoScolastico
from notifiche.services import notifica_send

from .conservazione import certificato_elimina, certificato_file_delete
from .models import Domanda, FinestraIscrizione, StatoDomanda

FINESTRA_CHIUSA_ERROR = _("Servizi: le iscrizioni per %(servizio)s sono chiuse, la domanda non può essere inviata.")
NON_RITIRABILE_ERROR = _("La domanda è già stata decisa o ritirata: non si può più ritirare.")


def _check_finestre(*, anno: AnnoScolastico, servizi: list[str], giorno: datetime.date) -> None:
    aperte = set(FinestraIscrizione.objects.filter(anno_scolastico=anno, apre_il__lte=giorno, chiude_il__gte=giorno)
                 .values_list("servizio", flat=True))
    for servizio in servizi:
        if servizio not in aperte:
            raise ValidationError({"__all__": ValidationError(FINESTRA_CHIUSA_ERROR, params={"servizio": servizio})})


@transaction.atomic
def domanda_salva(
    *, utente: User, anno: AnnoScolastico, chiave, dati: dict, isee: Decimal | None, certificato=None,
    certificato_tipo: str = "", giorno: datetime.date,
) -> Domanda:
    """Create (or, for the same form key, update) the draft: a double POST makes one application."""
    servizi = [s for s in ("mensa", "trasporto") if dati.get(s)]
    _check_finestre(anno=anno, servizi=servizi, giorno=giorno)
    domanda = Domanda.objects.select_for_update().filter(utente=utente, chiave=chiave).first()
    if domanda is not None and domanda.stato != StatoDomanda.BOZZA:
        return domanda  # already sent: the repeated POST changes nothing
    domanda = domanda or Domanda(comune_id=anno.comune_id, utente=utente, chiave=chiave, anno_scolastico=anno)
    for name in ("consumatore", "nome", "cognome", "codice_fiscale", "data_nascita", "scuola", "classe", "linea",
                 "fermata", "protocollo_dsu", "tipo_dieta", "dieta", "dieta_descrizione"):
        setattr(domanda, name, dati.get(name) or _empty(name))
    domanda.mensa, domanda.trasporto = bool(dati.get("mensa")), bool(dati.get("trasporto"))
    domanda.percorso = dati.get("percorso") or ""
    if not domanda.trasporto:
        domanda.linea = domanda.fermata = None
        domanda.percorso = ""
    domanda.isee = isee
    domanda.consenso_privacy_il = timezone.now()
    vecchio = domanda.certificato.name if domanda.certificato else ""
    if certificato is not None:
        domanda.certificato_tipo = certificato_tipo
        domanda.certificato.save(f"certificato.{certificato_tipo_extension(certificato_tipo)}", certificato,
                                 save=False)
    elif vecchio and not (domanda.tipo_dieta or domanda.dieta):
        domanda.certificato, domanda.certificato_tipo = "", ""  # no diet asked any more: no certificate kept
    try:
        with transaction.atomic():
            domanda.save()
    except IntegrityError:
        # The same form posted twice at once: the other request created it.
        if certificato is not None:
            certificato_file_delete(domanda.certificato.name)
        return Domanda.objects.get(utente=utente, chiave=chiave)
    if vecchio and vecchio != domanda.certificato.name:
        certificato_file_delete(vecchio)  # a replaced certificate is deleted at once
    return domanda


def _empty(name: str):
    field = Domanda._meta.get_field(name)
    return None if field.null else ""


def certificato_tipo_extension(mime: str) -> str:
    return {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}[mime]


@transaction.atomic
def domanda_invia(*, domanda: Domanda, giorno: datetime.date) -> Domanda:
    """"Invia": the draft gets its protocol number, the family a message and an e-mail. Twice = once."""
    domanda = Domanda.objects.select_for_update().get(pk=domanda.pk)
    if domanda.stato != StatoDomanda.BOZZA:
        return domanda
    _check_finestre(anno=domanda.anno_scolastico, servizi=domanda.servizi, giorno=giorno)
    domanda.stato = StatoDomanda.INVIATA
    domanda.inviata_il = timezone.now()
    domanda.protocollo = f"ISC-{domanda.anno_scolastico.data_inizio.year}-{domanda.pk:06d}"
    domanda.save(update_fields=["stato", "inviata_il", "protocollo"])
    # No ISEE, DSU protocol or diet here (health and ISEE data never travel by e-mail): the receipt with them
    # is on the application's page, behind the family's login.
    notifica_send(
        comune=domanda.comune, user=domanda.utente, consumatore=domanda.consumatore,
        titolo=f"Domanda di iscrizione ricevuta: protocollo {domanda.protocollo}",
        testo=(f"Abbiamo ricevuto la domanda di iscrizione numero {domanda.protocollo} per l'anno scolastico "
               f"{domanda.anno_scolastico}, il {timezone.localtime(domanda.inviata_il):%d/%m/%Y alle %H:%M}. "
               "La ricevuta è nella pagina Iscrizioni del portale, dopo l'accesso. Ti scriveremo quando "
               "l'ufficio l'avrà decisa."),
        chiave=f"domanda:{domanda.pk}:inviata",
    )
    return domanda


@transaction.atomic
def domanda_ritira(*, domanda: Domanda) -> Domanda:
    """The family withdraws an application not yet decided (a conditional update: no race with staff); its
    certificate is deleted at once."""
    changed = Domanda.objects.filter(
        pk=domanda.pk, stato__in=[StatoDomanda.INVIATA, StatoDomanda.IN_ISTRUTTORIA]
    ).update(stato=StatoDomanda.RITIRATA, decisa_il=timezone.now())
    if not changed:
        raise ValidationError(NON_RITIRABILE_ERROR)
    domanda.refresh_from_db()
    certificato_elimina(domanda=domanda)
    return domanda

"""Demo of the yearly cycle in each demo comune: the class history, the sibling rule, the 2027/28
enrolment windows open, and applications in every state (one with a small PDF medical certificate).
The first family of each comune (Lucia De Bellis in Leporano) has none: it can apply on `make run`."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from comuni.models import Comune, Incarico, Ruolo
from consumatori.models import AnnoScolastico, Consumatore, Scuola, TipoScuola
from consumatori.storico import storico_classi_sync
from iscrizioni.accoglienza import domanda_respingi, domande_accogli, domande_istruttoria
from iscrizioni.domande import domanda_invia, domanda_ritira, domanda_salva
from iscrizioni.models import Domanda, FinestraIscrizione, ProseguimentoScuola, RegolaFratelli, StatoDomanda
from mensa.menu.models import TipoDieta
from pagamenti.models import Servizio
from trasporto.models import Fermata, Linea, Percorso

ANNO_NUOVO = ("2027/28", datetime.date(2027, 9, 13), datetime.date(2028, 6, 7))
DOCUMENTI = "Attestazione ISEE in corso di validità; per le diete sanitarie il certificato medico."


def certificato_pdf(testo: str = "Certificato medico (dati di prova)") -> bytes:
    """A small valid PDF (one page, one line of text) with a correct cross-reference table."""
    stream = f"BT /F1 14 Tf 72 760 Td ({testo}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _setup(comune: Comune) -> tuple[AnnoScolastico, Linea | None]:
    oggi = timezone.localdate()
    nome, inizio, fine = ANNO_NUOVO
    anno, _ = AnnoScolastico.objects.get_or_create(comune=comune, nome=nome,
                                                   defaults={"data_inizio": inizio, "data_fine": fine})
    for servizio, rinnovo in ((Servizio.MENSA, True), (Servizio.TRASPORTO, False)):
        FinestraIscrizione.objects.get_or_create(
            comune=comune, anno_scolastico=anno, servizio=servizio,
            defaults={"apre_il": oggi - datetime.timedelta(days=14), "chiude_il": oggi + datetime.timedelta(days=150),
                      "documenti_richiesti": DOCUMENTI, "rinnovo_automatico": rinnovo},
        )
        RegolaFratelli.objects.get_or_create(comune=comune, servizio=servizio)
    scuole = {s.tipo: s for s in Scuola.objects.filter(comune=comune)}
    for da, a in ((TipoScuola.INFANZIA, TipoScuola.PRIMARIA), (TipoScuola.PRIMARIA, TipoScuola.SECONDARIA)):
        if da in scuole and a in scuole:
            ProseguimentoScuola.objects.get_or_create(comune=comune, scuola=scuole[da],
                                                      defaults={"scuola_successiva": scuole[a]})
    # The first route, ready for 2027/28, so families can ask for the bus.
    vecchia = Linea.objects.filter(comune=comune).exclude(anno_scolastico=anno).order_by(
        "-anno_scolastico__data_inizio", "nome").first()
    if vecchia is None:
        return anno, None
    linea, created = Linea.objects.get_or_create(comune=comune, anno_scolastico=anno, nome=vecchia.nome,
                                                 defaults={"mezzo": vecchia.mezzo, "autista": vecchia.autista})
    if created:
        linea.scuole.set(vecchia.scuole.all())
        Fermata.objects.bulk_create([Fermata(comune=comune, linea=linea, ordine=f.ordine, nome=f.nome,
                                             indirizzo=f.indirizzo, ora_andata=f.ora_andata,
                                             ora_ritorno=f.ora_ritorno) for f in vecchia.fermate.all()])
    return anno, linea


def _domanda(comune: Comune, anno: AnnoScolastico, figlio: Consumatore, utente, n: int, *, linea=None,
             isee=None, certificato: bool = False, dieta: str = "") -> Domanda:
    chiave = uuid.uuid5(uuid.NAMESPACE_URL, f"omnibus-demo-domanda/{comune.slug}/{n}")
    esistente = Domanda.objects.filter(utente=utente, chiave=chiave).first()
    if esistente is not None:
        return esistente
    scuola = figlio.classe.scuola if figlio.classe else Scuola.objects.filter(comune=comune).first()
    dati = {"consumatore": figlio, "nome": figlio.nome, "cognome": figlio.cognome,
            "codice_fiscale": figlio.codice_fiscale, "data_nascita": figlio.data_nascita, "scuola": scuola,
            "mensa": True, "trasporto": linea is not None}
    if linea is not None:
        dati.update(linea=linea, fermata=linea.fermate.order_by("ordine").first(), percorso=Percorso.ANDATA_RITORNO)
    # The diet types are the comune's (demo/menu.py): a sanitary one comes with the certificate.
    tipo = TipoDieta.objects.filter(comune=comune, nome=dieta).first() if dieta else None
    if tipo is not None:
        dati.update(tipo_dieta=tipo, dieta="sanitaria" if tipo.sanitaria else "etico_religiosa")
    elif certificato:
        dati.update(dieta="sanitaria")  # "altra": staff pick the type at review
    if certificato:
        dati.update(dieta_descrizione="Celiachia certificata dal pediatra")
    oggi = timezone.localdate()
    domanda = domanda_salva(
        utente=utente, anno=anno, chiave=chiave, dati=dati, isee=isee,
        certificato=ContentFile(certificato_pdf(), name="certificato.pdf") if certificato else None,
        certificato_tipo="application/pdf" if certificato else "", giorno=oggi,
    )
    return domanda_invia(domanda=domanda, giorno=oggi)


def seed_iscrizioni() -> None:
    """Idempotent: run on every seed_demo."""
    for comune in Comune.objects.filter(slug__in=["leporano", "pulsano"]).order_by("slug"):
        storico_classi_sync(comune=comune)
        anno, linea = _setup(comune)
        staff = Incarico.objects.filter(comune=comune, ruolo=Ruolo.UFFICIO_SCUOLA).select_related("user").first()
        # The families with an account, after the first one (it stays free to apply in the demo).
        famiglie = []
        for figlio in Consumatore.objects.filter(comune=comune, tutori__utente__isnull=False).select_related(
                "classe__scuola").order_by("pk"):
            utente = figlio.tutori.filter(utente__isnull=False).first().utente
            famiglie.append((utente, figlio))
        utenti = list(dict.fromkeys(u for u, _f in famiglie))[1:]
        figli = [(u, f) for u, f in famiglie if u in utenti]
        if len(figli) < 3 or staff is None:
            continue
        inviata = _domanda(comune, anno, figli[0][1], figli[0][0], 1, isee=Decimal("6800"), certificato=True,
                           dieta="Senza glutine (celiachia)")
        istruttoria = _domanda(comune, anno, figli[1][1], figli[1][0], 2, linea=linea, isee=Decimal("12400"))
        accolta = _domanda(comune, anno, figli[2][1], figli[2][0], 3, linea=linea, isee=Decimal("9800"),
                           dieta="Senza carne di maiale")
        # Refused as a double application: with few families, of the child just accepted.
        doppia = figli[3] if len(figli) > 3 else figli[2]
        respinta = _domanda(comune, anno, doppia[1], doppia[0], 4)
        del inviata  # stays "inviata", with its medical certificate, for staff to open
        domande_istruttoria(domande=[istruttoria], da=staff.user)
        if accolta.stato in (StatoDomanda.INVIATA, StatoDomanda.IN_ISTRUTTORIA):
            domande_accogli(domande=[accolta], da=staff.user)
        if respinta.stato == StatoDomanda.INVIATA:
            domanda_respingi(domanda=respinta, motivo="Domanda doppia: l'alunno è già iscritto con rinnovo "
                                                      "automatico.", da=staff.user)
        if len(figli) > 4:
            ritirata = _domanda(comune, anno, figli[4][1], figli[4][0], 5)
            if ritirata.stato == StatoDomanda.INVIATA:
                domanda_ritira(domanda=ritirata)

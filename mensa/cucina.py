"""The kitchen count as files (CSV, PDF) and its e-mail to the catering company, once per comune and day."""

from __future__ import annotations

import csv
import datetime
import io

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from comuni.models import Comune

from .models import ConteggioInviato
from .selectors import RigaConteggio, conteggio_cucina, conteggio_per_scuola

CSV_HEADER = ["scuola", "classe", "dieta", "pasti", "bambini con dieta sanitaria"]


def conteggio_csv(righe: list[RigaConteggio]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    for r in righe:
        writer.writerow([r.scuola, r.classe, r.dieta, r.pasti, ", ".join(r.nomi)])
    for s in conteggio_per_scuola(righe):
        for dieta, pasti in s.per_dieta:
            writer.writerow([s.scuola, "TOTALE SCUOLA", dieta, pasti, ""])
    writer.writerow(["TOTALE", "", "", sum(r.pasti for r in righe), ""])
    return out.getvalue()


def conteggio_pdf(*, comune: Comune, giorno: datetime.date, righe: list[RigaConteggio]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "mensa/conteggio_pdf.html",
        {"comune": comune, "giorno": giorno, "righe": righe, "totale": sum(r.pasti for r in righe),
         "scuole": conteggio_per_scuola(righe)},
    )
    return HTML(string=html).write_pdf()


def conteggio_cucina_send(*, comune: Comune, giorno: datetime.date) -> bool:
    """E-mail the day's count to the comune's catering contact; False if it was already sent (or no contact)."""
    if not comune.email_ristorazione:
        return False
    try:
        with transaction.atomic():
            # The unique row is the claim: a second worker (or a second beat tick) gets IntegrityError.
            claim = ConteggioInviato.objects.create(comune=comune, giorno=giorno)
            righe = conteggio_cucina(comune=comune, giorno=giorno)
            totale = sum(r.pasti for r in righe)
            claim.pasti = totale
            claim.save(update_fields=["pasti"])
            message = EmailMessage(
                subject=f"{comune}: pasti del {giorno:%d/%m/%Y} ({totale})",
                body=render_to_string(
                    "mensa/conteggio_email.txt",
                    {"comune": comune, "giorno": giorno, "righe": righe, "totale": totale,
                     "scuole": conteggio_per_scuola(righe)},
                ),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[comune.email_ristorazione],
            )
            message.attach(f"pasti-{giorno.isoformat()}.csv", conteggio_csv(righe), "text/csv")
            message.attach(
                f"pasti-{giorno.isoformat()}.pdf", conteggio_pdf(comune=comune, giorno=giorno, righe=righe),
                "application/pdf",
            )
            message.send()
    except IntegrityError:
        return False
    return True

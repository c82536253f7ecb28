"""The fixed texts of the pagoPA avviso (Avvisi pagoPA 3.x), in the five languages pagoPA publishes.

The model forbids rewording its fixed texts ("Non alterare il resto del testo", allegato-2, dove
pagare), so each language here says what the published strings of that variant say; tests compare a
few key ones with the published files. Our own additions, not in pagoPA's strings (the postal slip's
labels), are marked. `{ente}` stands for the comune's name, `{n}` for a number.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Codes accepted as the comune's second language: the variants pagoPA publishes.
SECONDE_LINGUE = (
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("sl", "Slovenščina"),
)

TESTI: dict[str, dict[str, str]] = {
    "it": {
        "titolo": "Avviso di pagamento",
        "quanto_titolo": "Quanto e quando pagare?",
        "euro": "Euro",
        "entro_il": "entro il",
        "legal": "In fase di pagamento, se previsto dall’ente, l’importo potrebbe essere aggiornato "
                 "automaticamente e subire variazioni in diminuzione (per sgravi, note di credito) o in aumento "
                 "(per sanzioni, interessi, ecc.).",
        "dove_titolo": "Dove pagare?",
        "cta": "vai su pagopa.gov.it",
        "online_titolo": "Paga con l’app IO",
        "online_testo": "oppure sul sito di {ente}, dal tuo Home Banking, con la tua app di pagamento o con gli "
                        "altri canali abilitati.",
        "territorio_titolo": "Paga sul territorio",
        "territorio_testo": "presso Banche e Sportelli ATM, negli Uffici Postali e Punti Postali, nei Bar, "
                            "Edicole, Ricevitorie, Supermercati, Tabaccherie e altri Esercenti Convenzionati.",
        "ente_titolo": "Ente Creditore",
        "destinatario_titolo": "Destinatario",
        "cf_breve": "Cod. Fiscale",
        "dati_titolo": "Dati per il pagamento",
        "rata_unica": "Rata unica",
        "istruzioni_qr": "Inquadra il codice QR con la tua app di pagamento o usa i dati accanto.",
        "oggetto": "Oggetto del pagamento",
        "cbill": "Codice CBILL",
        "codice_avviso": "Codice Avviso",
        "cf_ente": "Codice Fiscale Ente",
        # Ours: the postal slip's labels (allegato-2 names the fields, the strings files do not).
        "bollettino_titolo": "Bollettino Postale PA",
        "bollettino_testo": "Pagabile in tutti gli Uffici Postali e sui canali fisici o digitali abilitati "
                            "di Poste Italiane.",
        "sul_cc": "sul C/C n.",
        "intestato_a": "Intestato a",
        "tipo": "Tipo",
    },
    "en": {
        "titolo": "Payment notice",
        "quanto_titolo": "How much and when to pay?",
        "euro": "Euro",
        "entro_il": "by",
        "legal": "During the payment, if allowed by the payee, the amount may be updated automatically and be "
                 "subject to decreases (in case of discounts or credit notes) or increases (in case of penalties, "
                 "interest, etc.).",
        "dove_titolo": "Where to pay?",
        "cta": "Go to pagopa.gov.it",
        "online_titolo": "Pay with the IO app",
        "online_testo": "or with {ente} website, your Home Banking, payment app or the other affiliated channels.",
        "territorio_titolo": "Pay locally",
        "territorio_testo": "at banks and ATMs, in post offices, cafés, news stands, betting and tobacco Shops, "
                            "supermarkets and other affiliated merchants.",
        "ente_titolo": "Payee",
        "destinatario_titolo": "Recipient",
        "cf_breve": "Tax code",
        "dati_titolo": "Payment details",
        "rata_unica": "Full amount",
        "istruzioni_qr": "Scan the QR Code with your payment app or use the data printed here.",
        "oggetto": "Payment description",
        "cbill": "CBILL code",
        "codice_avviso": "Notice code",
        "cf_ente": "Payee tax code",
        "bollettino_titolo": "Postal payment slip (PA)",
        "bollettino_testo": "Payable at every Post Office and on the enabled channels of Poste Italiane.",
        "sul_cc": "to postal account no.",
        "intestato_a": "Account holder",
        "tipo": "Type",
    },
    "de": {
        "titolo": "Zahlungsmitteilung",
        "quanto_titolo": "Wieviel und wann bezahlen?",
        "euro": "Euro",
        "entro_il": "Fällig am",
        "legal": "Der angeführte Betrag könnte sich auf Grund von allfälligen auch teilweisen Annullierungen oder "
                 "Gutschriften, Verzugsgebühren, Strafen, Zinsen oder anderen Kosten ändern.",
        "dove_titolo": "Wo bezahlen?",
        "cta": "Liste der Zahlungsdienstleister: pagopa.gov.it",
        "online_titolo": "Online",
        "online_testo": "mit der App IO, auf {ente}, mittels Home Banking, einer Zahlungsapp oder anderer "
                        "zugelassener Zahlungsdienstleister.",
        "territorio_titolo": "In ihrer Umgebung",
        "territorio_testo": "bei Banken und ATM-Schaltern, in Postämtern und Poststellen, Tabaktrafiken und "
                            "anderen angebundenen Dienstleistern.",
        "ente_titolo": "Körperschaft",
        "destinatario_titolo": "Empfänger",
        "cf_breve": "St.Nr.",
        "dati_titolo": "Zahlungsinformationen",
        "rata_unica": "Einzige Rate",
        "istruzioni_qr": "Den QR-Code mit der Zahlungs-App scannen oder folgende Daten verwenden.",
        "oggetto": "Zahlungsgrund",
        "cbill": "CBILL-Kodex",
        "codice_avviso": "Zahlungsmitteilungskodex",
        "cf_ente": "St.Nr. der Körperschaft",
        "bollettino_titolo": "Postzahlschein PA",
        "bollettino_testo": "Zahlbar in allen Postämtern und über die zugelassenen Kanäle der Poste Italiane.",
        "sul_cc": "auf Postkonto Nr.",
        "intestato_a": "Kontoinhaber",
        "tipo": "Typ",
    },
    "fr": {
        "titolo": "Avis de paiement",
        "quanto_titolo": "Combien et quand payer?",
        "euro": "Euros",
        "entro_il": "avant le",
        "legal": "En phase de paiement, si l’organisme le prévoit, le montant pourrait être mis à jour "
                 "automatiquement et subir des variations en diminution (pour les réductions, les notes de crédit) "
                 "ou en augmentation (pour les sanctions, les intérêts, etc.).",
        "dove_titolo": "Où payer?",
        "cta": "accédez au site pagopa.gov.it",
        "online_titolo": "Paiement avec l’application IO",
        "online_testo": "sur le site de {ente}, depuis votre « Banque à domicile », avec votre application de "
                        "paiement ou avec les autres canaux activés.",
        "territorio_titolo": "Payez sur le territoire",
        "territorio_testo": "dans les banques, les guichets automatiques, les bureaux de poste, les points postaux, "
                            "les bars, les kiosques à journaux, les détaillants, les supermarchés, les bureaux de "
                            "tabac et les autres opérateurs agréés.",
        "ente_titolo": "Organisme créancier",
        "destinatario_titolo": "Destinataire",
        "cf_breve": "Code fiscal",
        "dati_titolo": "Données pour le paiement",
        "rata_unica": "Versement unique",
        "istruzioni_qr": "Encadrez le code QR avec votre application de paiement ou utilisez les données ci-contre.",
        "oggetto": "Objet du paiement",
        "cbill": "Code CBILL",
        "codice_avviso": "Code de l’avis",
        "cf_ente": "Code fiscal de l’organisme",
        "bollettino_titolo": "Bulletin postal PA",
        "bollettino_testo": "Payable dans tous les bureaux de poste et sur les canaux agréés de Poste Italiane.",
        "sul_cc": "sur le compte postal n°",
        "intestato_a": "Titulaire",
        "tipo": "Type",
    },
    "sl": {
        "titolo": "Obvestilo o plačilu",
        "quanto_titolo": "Koliko in kdaj plačati?",
        "euro": "EUR",
        "entro_il": "do",
        "legal": "Če upravičenec to predvidi, se lahko med fazo plačila znesek samodejno posodobi in tudi zmanjša "
                 "(zaradi popustov, dobropisov) ali poveča (zaradi kazni, obresti itd.).",
        "dove_titolo": "Kje plačati?",
        "cta": "pojdite na pagopa.gov.it",
        "online_titolo": "Plačajte z aplikacijo IO",
        "online_testo": "ali na spletnem mestu {ente}, prek svoje spletne banke, z aplikacijo za plačevanje ali "
                        "prek drugih razpoložljivih kanalov.",
        "territorio_titolo": "Plačajte lokalno",
        "territorio_testo": "na bankah in okencih bankomatov, poštnih uradih in poštnih točkah, v barih, kioskih, "
                            "sprejemnih pisarnah, supermarketih, trafikah in pri drugih pooblaščenih operaterjih.",
        "ente_titolo": "Plačnik",
        "destinatario_titolo": "Prejemnik",
        "cf_breve": "Davčna št.",
        "dati_titolo": "Podatki za plačilo",
        "rata_unica": "Enkratni obrok",
        "istruzioni_qr": "Skenirajte QR-kodo z aplikacijo za plačila ali uporabite podatke, navedene ob kodi.",
        "oggetto": "Predmet plačila",
        "cbill": "Koda CBILL",
        "codice_avviso": "Št. obvestila",
        "cf_ente": "Davčna številka plačnika",
        "bollettino_titolo": "Poštna položnica PA",
        "bollettino_testo": "Plačljivo na vseh poštah in prek pooblaščenih kanalov Poste Italiane.",
        "sul_cc": "na poštni račun št.",
        "intestato_a": "Imetnik računa",
        "tipo": "Vrsta",
    },
}


def importo_formattato(importo: Decimal, lingua: str) -> str:
    """AVVISO.IMPORTO: thousands by a dot and decimals by a comma in Italian and German, the other way
    round in English (allegato-2, importo e scadenza); French and Slovenian as Italian."""
    testo = f"{importo.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
    if lingua == "en":
        return testo
    return testo.replace(",", "X").replace(".", ",").replace("X", ".")


def codice_a_gruppi(codice: str) -> str:
    """AVVISO.CODICE: the digits in groups of 4 separated by a space (22 characters for 18 digits)."""
    return " ".join(codice[i:i + 4] for i in range(0, len(codice), 4))

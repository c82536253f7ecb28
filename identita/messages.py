from django.utils.translation import gettext_lazy as _

NESSUN_ALUNNO_TROVATO = _(
    "Sei entrato con la tua identità digitale, ma il tuo codice fiscale non risulta tra i genitori "
    "registrati dal comune. Se hai un codice di collegamento inseriscilo in «Collega un figlio», "
    "altrimenti invia una richiesta di associazione all'ufficio scuola."
)

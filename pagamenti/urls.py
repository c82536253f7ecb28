from django.urls import include, path

from .views import posizioni, puntolis, ricarica, storico

app_name = "pagamenti"

urlpatterns = [
    path("ricarica/", ricarica.ricarica, name="ricarica"),
    path("ricarica/consumatori/", ricarica.ricarica_consumatori, name="ricarica_consumatori"),
    path("ricarica/consumatori/<int:pk>/", ricarica.ricarica_consumatore, name="ricarica_consumatore"),
    path("ricarica/privacy/", ricarica.privacy, name="privacy"),
    path("carrello/", ricarica.carrello_view, name="carrello"),
    path("carrello/rimuovi/<int:indice>/", ricarica.carrello_rimuovi, name="carrello_rimuovi"),
    path("carrello/pagamento/", ricarica.checkout, name="checkout"),
    path("pagamenti/", storico.pagamenti, name="pagamenti"),
    path("pagamenti/estratto/<int:pk>/<int:anno>/", storico.estratto_pdf, name="estratto"),
    path("pagamenti/avvisi/<uuid:token>/", posizioni.posizione_detail, name="posizione"),
    path("pagamenti/avvisi/<uuid:token>/annulla/", posizioni.posizione_annulla, name="posizione_annulla"),
    path("pagamenti/avvisi/<uuid:token>/avviso.pdf", posizioni.avviso_download, name="avviso_pdf"),
    path("pagamenti/avvisi/<uuid:token>/email/", posizioni.avviso_email, name="avviso_email"),
    path("pagamenti/avvisi/<uuid:token>/ricevuta.pdf", posizioni.ricevuta_download, name="ricevuta_pdf"),
    path("pagamenti/pagopa-sandbox/<uuid:token>/", posizioni.sandbox_checkout, name="sandbox_checkout"),
    path("pagamenti/puntolis/", puntolis.puntolis, name="puntolis"),
    path("pagamenti/puntolis/<int:pk>/", puntolis.puntolis_dettaglio, name="puntolis_dettaglio"),
    path("pagamenti/puntolis/<int:pk>/qr.pdf", puntolis.puntolis_pdf_view, name="puntolis_pdf"),
    # Staff: pagoPA reconciliation (flussi di rendicontazione), Ufficio scuola only.
    path("pagamenti/riconciliazione/", include("pagamenti.riconciliazione.urls")),
    path("api/puntolis/notifiche/", puntolis.lis_notifica, name="lis_notifica"),
]

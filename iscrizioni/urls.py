from django.urls import path

from . import views

app_name = "iscrizioni"

urlpatterns = [
    path("", views.iscrizioni_home, name="home"),
    path("nuova/", views.domanda_nuova, name="nuova"),
    path("<int:pk>/", views.domanda_dettaglio, name="domanda"),
    path("<int:pk>/riepilogo/", views.domanda_riepilogo, name="riepilogo"),
    path("<int:pk>/invia/", views.domanda_invio, name="invia"),
    path("<int:pk>/ritira/", views.domanda_ritiro, name="ritira"),
    path("<int:pk>/ricevuta.pdf", views.domanda_ricevuta, name="ricevuta"),
    path("<int:pk>/certificato/", views.domanda_certificato, name="certificato"),
]

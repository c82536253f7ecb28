from django.urls import path

from . import views, views_offline
from .menu import views as menu_views

app_name = "mensa"

urlpatterns = [
    path("consumatori/<int:pk>/assenze/", views.assenza_nuova, name="assenza_nuova"),
    path("consumatori/<int:pk>/assenze/ritira/", views.assenza_ritira, name="assenza_ritira"),
    path("consumatori/<int:pk>/in-bianco/", menu_views.in_bianco_nuovo, name="in_bianco_nuovo"),
    path("consumatori/<int:pk>/in-bianco/ritira/", menu_views.in_bianco_ritira, name="in_bianco_ritira"),
    path("operatore/", views.operatore_presenze, name="operatore"),
    path("operatore/presenza/", views.operatore_presenza, name="presenza"),
    path("operatore/sincronizza/", views_offline.operatore_sincronizza, name="sincronizza"),
    path("cucina/", views.conteggio, name="conteggio"),
    path("cucina/pasti.csv", views.conteggio, {"formato": "csv"}, name="conteggio_csv"),
    path("cucina/pasti.pdf", views.conteggio, {"formato": "pdf"}, name="conteggio_pdf"),
]

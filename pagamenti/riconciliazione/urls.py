from django.urls import path

from . import views, views_lis

app_name = "riconciliazione"

urlpatterns = [
    path("", views.indice, name="indice"),
    path("carica/", views.carica, name="carica"),
    path("sincronizza/", views.sincronizza, name="sincronizza"),
    path("flussi/<int:pk>/", views.flusso_dettaglio, name="flusso"),
    path("flussi/<int:pk>/export.<str:formato>", views.flusso_export, name="flusso_export"),
    path("giorni/", views.giorni, name="giorni"),
    path("giorni/export.<str:formato>", views.giorni_export, name="giorni_export"),
    path("senza-flusso/", views.senza_flusso, name="senza_flusso"),
    path("senza-flusso/export.<str:formato>", views.senza_flusso_export, name="senza_flusso_export"),
    path("puntolis/", views_lis.lis_indice, name="lis_indice"),
    path("puntolis/carica/", views_lis.lis_carica, name="lis_carica"),
    path("puntolis/estratti/<int:pk>/", views_lis.lis_estratto, name="lis_estratto"),
    path("puntolis/estratti/<int:pk>/export.<str:formato>", views_lis.lis_estratto_export, name="lis_estratto_export"),
    path("puntolis/senza-estratto/", views_lis.lis_senza_estratto, name="lis_senza_estratto"),
]

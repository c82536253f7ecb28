from django.urls import path

from . import views_famiglia

app_name = "famiglia"

urlpatterns = [
    path("i-miei-dati/", views_famiglia.miei_dati, name="miei_dati"),
    path("i-miei-dati/json/", views_famiglia.miei_dati_download, {"formato": "json"}, name="miei_dati_json"),
    path("i-miei-dati/csv/", views_famiglia.miei_dati_download, {"formato": "csv"}, name="miei_dati_csv"),
    path("i-miei-dati/cancellazione/", views_famiglia.miei_dati_cancellazione, name="miei_dati_cancellazione"),
    path("i-miei-dati/dispositivi/<int:pk>/rimuovi/", views_famiglia.miei_dati_dispositivo_rimuovi,
         name="miei_dati_dispositivo_rimuovi"),
]

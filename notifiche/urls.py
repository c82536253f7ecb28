from django.urls import path

from . import views, views_canali

app_name = "notifiche"

urlpatterns = [
    path("", views.notifiche_list, name="elenco"),
    path("lette/", views.notifiche_read, name="lette"),
    path("notifiche/", views_canali.canali, name="canali"),
    path("notifiche/dispositivi/", views_canali.dispositivo_nuovo, name="dispositivo_nuovo"),
    path("notifiche/dispositivi/<int:pk>/rimuovi/", views_canali.dispositivo_rimuovi, name="dispositivo_rimuovi"),
]

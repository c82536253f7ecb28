from django.urls import path

from . import views

app_name = "notifiche"

urlpatterns = [
    path("", views.notifiche_list, name="elenco"),
    path("lette/", views.notifiche_read, name="lette"),
]

from django.urls import path

from . import views

app_name = "attivazione"

urlpatterns = [
    path("", views.attivazione, name="attivazione"),
    path("verifica-collegamento/", views.verifica, name="verifica"),
    path("lettere/", views.lettere, name="lettere"),
]

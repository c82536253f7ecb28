from django.urls import path

from . import views

app_name = "cittadino"

urlpatterns = [
    path("", views.cittadino_home, name="home"),
    path("consumatori/<int:pk>/", views.consumatore_dettaglio, name="consumatore"),
]

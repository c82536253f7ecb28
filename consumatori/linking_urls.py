from django.urls import path

from . import linking_views

app_name = "collegamento"

urlpatterns = [
    path("collega/", linking_views.collega, name="collega"),
]

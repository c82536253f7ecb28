from django.urls import path

from . import views

app_name = "menu"

urlpatterns = [
    path("", views.menu_pubblico_view, name="pubblico"),
    path("<slug:livello>/<str:mese>.pdf", views.menu_mese_pdf, name="mese_pdf"),
]

from django.urls import path

from . import views

app_name = "trasporto"

urlpatterns = [
    path("bordo/", views.bordo_home, name="bordo"),
    path("bordo/<int:pk>/", views.bordo_linea, name="bordo_linea"),
    path("<int:pk>/", views.consumatore_trasporto, name="consumatore"),
]

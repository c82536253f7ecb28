from django.urls import path

from . import views, views_offline

app_name = "trasporto"

urlpatterns = [
    path("bordo/", views.bordo_home, name="bordo"),
    path("bordo/<int:pk>/", views.bordo_linea, name="bordo_linea"),
    path("bordo/<int:pk>/sincronizza/", views_offline.bordo_sincronizza, name="bordo_sincronizza"),
    path("<int:pk>/", views.consumatore_trasporto, name="consumatore"),
]

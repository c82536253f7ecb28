from django.urls import path

from . import views

urlpatterns = [
    path("identita/<slug:provider_id>/login/", views.login, name="spidcie_login"),
    path("identita/<slug:provider_id>/login/callback/", views.callback, name="spidcie_callback"),
]

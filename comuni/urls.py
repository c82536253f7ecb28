from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("comuni/cerca/", views.comune_finder, name="comune_finder"),
    path("login/<slug:comune>/", views.ComuneLoginView.as_view(), name="comune_login"),
]

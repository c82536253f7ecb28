from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("comuni/cerca/", views.comune_finder, name="comune_finder"),
    path("login/<slug:comune>/", views.ComuneLoginView.as_view(), name="comune_login"),
    path("registrati/<slug:comune>/", views.ComuneSignupView.as_view(), name="comune_signup"),
    path("privacy/<slug:comune>/", views.informativa_privacy, name="comune_privacy"),
]

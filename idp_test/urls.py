from django.urls import include, path

from . import views

# No app namespace: django-oauth-toolkit reverses its own "oauth2_provider:" names.
urlpatterns = [
    path("", views.scegli_identita, name="idp_test_scegli"),
    path("o/authorize/", views.AutorizzaView.as_view(), name="idp_test_authorize"),
    path("o/", include("oauth2_provider.urls")),
]

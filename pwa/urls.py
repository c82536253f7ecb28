from django.urls import path

from . import views

app_name = "pwa"

urlpatterns = [
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("offline/", views.offline, name="offline"),
    path("accessibilita/", views.accessibilita, name="accessibilita"),
    path("app/icona-<int:size>.png", views.icona, name="icona"),
    path("app/stemma/", views.stemma, name="stemma"),
    path("app/icona-maskable-<int:size>.png", views.icona, {"maskable": True}, name="icona_maskable"),
]

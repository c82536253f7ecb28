"""The platform app (every comune's) and the files the stores read: mounted at the root, before the comuni."""

from django.urls import path

from . import negozi, piattaforma

app_name = "app"

urlpatterns = [
    path(".well-known/assetlinks.json", negozi.assetlinks, name="assetlinks"),
    path(".well-known/apple-app-site-association", negozi.apple_app_site_association,
         name="apple_app_site_association"),
    path("app/manifest.webmanifest", piattaforma.manifest, name="manifest"),
    path("app/icona-<int:size>.png", piattaforma.icona, name="icona"),
    path("app/icona-maskable-<int:size>.png", piattaforma.icona, {"maskable": True}, name="icona_maskable"),
    path("app/icona-monocromatica-512.png", piattaforma.icona_monocromatica, name="icona_monocromatica"),
    path("app/installa/", piattaforma.installa, name="installa"),
]

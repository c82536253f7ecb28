from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from comuni.views_accesso import attiva_totp
from esercizio.metrics import metrics_view
from omnibus.health import healthz

admin.site.site_header = "Omnibus – amministrazione"
admin.site.site_title = "Omnibus"
admin.site.index_title = "Servizi scolastici del comune"

handler500 = "omnibus.health.server_error_or_unavailable"


urlpatterns = [
    path("admin/", admin.site.urls),
    # allauth's TOTP activation, leading a staff account to its work afterwards (comuni.access).
    path("accounts/2fa/totp/activate/", attiva_totp, name="mfa_activate_totp"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz/", healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    # The platform app "Omnibus" and /.well-known/ (public): before the comuni's /<comune>/ patterns.
    path("", include("pwa.urls_piattaforma")),
    path("", include("comuni.urls")),
]

if settings.IDP_TEST_ENABLED:
    # The local test identity provider (development, demo, tests): never in production settings.
    urlpatterns.append(path("idp-test/", include("idp_test.urls")))

urlpatterns.append(path("<slug:comune>/", include("pwa.urls")))
urlpatterns.append(path("<slug:comune>/mensa/", include("mensa.urls")))
urlpatterns.append(path("<slug:comune>/menu/", include("mensa.menu.urls")))  # public, no login
urlpatterns.append(path("<slug:comune>/messaggi/", include("notifiche.urls")))
urlpatterns.append(path("<slug:comune>/ufficio/attivazione/", include("attivazione.urls")))
urlpatterns.append(path("<slug:comune>/ufficio/", include("ufficio.urls")))

# Payments of each comune (RICARICA, Pagamenti, PuntoLIS), before the family catch-all.
urlpatterns.append(path("<slug:comune>/", include("pagamenti.urls")))
urlpatterns.append(path("<slug:comune>/trasporto/", include("trasporto.urls")))
urlpatterns.append(path("<slug:comune>/iscrizioni/", include("iscrizioni.urls")))

# Last: the family area of each comune, /<comune>/...
urlpatterns.append(path("<slug:comune>/", include("consumatori.linking_urls")))
urlpatterns.append(path("<slug:comune>/", include("comuni.urls_famiglia")))
urlpatterns.append(path("<slug:comune>/", include("consumatori.urls")))

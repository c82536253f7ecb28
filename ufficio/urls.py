from django.urls import path

from .views import correzioni, cruscotto, morosi, report, solleciti

app_name = "ufficio"

urlpatterns = [
    path("", cruscotto.cruscotto, name="cruscotto"),
    path("morosi/", morosi.morosi, name="morosi"),
    path("morosi/morosi.csv", morosi.morosi_export, {"formato": "csv"}, name="morosi_csv"),
    path("morosi/morosi.xlsx", morosi.morosi_export, {"formato": "xlsx"}, name="morosi_xlsx"),
    path("solleciti/", solleciti.registro, name="solleciti"),
    path("solleciti/invii/", solleciti.invio_nuovo, name="invio_nuovo"),
    path("solleciti/invii/<int:pk>/", solleciti.invio, name="invio"),
    path("solleciti/invii/<int:pk>/stampa/", solleciti.invio_stampa, name="invio_stampa"),
    path("solleciti/<int:pk>/lettera.pdf", solleciti.lettera, name="lettera"),
    path("report/", report.report, name="report"),
    path("report/esportazioni/", report.esportazione_nuova, name="esportazione_nuova"),
    path("report/esportazioni/<int:pk>/", report.esportazione, name="esportazione"),
    path("report/esportazioni/<int:pk>/file", report.esportazione_scarica, name="esportazione_scarica"),
    path("correzioni/", correzioni.correzioni, name="correzioni"),
    path("correzioni/nuova/", correzioni.correzione_nuova, name="correzione_nuova"),
]

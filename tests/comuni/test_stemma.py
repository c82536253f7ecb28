"""The comune's stemma lives in STORAGES["default"] (local disk or S3) and reaches browsers and PDFs only through
the portal: its own view and a data URI, never a link to the storage."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from comuni.stemma import stemma_data_uri
from tests.s3_locale import s3_server, s3_storages  # noqa: F401


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#0066cc").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("tipo", ["locale", "s3"])
def test_the_stemma_is_served_by_the_portal_from_either_storage(request, client, settings, tmp_path, leporano, tipo):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    if tipo == "s3":
        s3_storages(settings, request.getfixturevalue("s3_server"))
    png = _png()
    leporano.logo.save("stemma.png", ContentFile(png), save=True)
    url = reverse("pwa:stemma", kwargs={"comune": "leporano"})
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png" and response.content == png
    assert f'src="{url}"' in client.get("/login/leporano/").content.decode()
    assert stemma_data_uri(leporano).startswith("data:image/png;base64,")


def test_without_a_stemma_the_view_answers_404(client, leporano, pulsano):
    assert client.get(reverse("pwa:stemma", kwargs={"comune": "leporano"})).status_code == 404
    assert stemma_data_uri(leporano) == ""

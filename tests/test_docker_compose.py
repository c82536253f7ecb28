"""docker-compose keeps every file the portal stores across `docker compose up --build`: the stemmi and the
private medical certificates sit on named volumes that the web server and the Celery worker (which runs the
retention job) both mount, at the folders the settings use inside the image (/app/var/...)."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_media_and_private_files_live_on_named_volumes_of_web_and_worker():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    image_var = "/app/var"  # WORKDIR /app in the Dockerfile; the settings' defaults are var/media and var/private
    for folder in ("media", "private"):
        assert folder in compose["volumes"], folder
        workers = [name for name in compose["services"] if name.startswith("worker")]
        assert workers, "no Celery worker service"
        for service in ("web", *workers):
            mounts = compose["services"][service]["volumes"]
            assert f"{folder}:{image_var}/{folder}" in mounts, (service, folder)
    assert Path(settings.PRIVATE_MEDIA_ROOT).relative_to(settings.BASE_DIR).as_posix() == "var/private"
    # The image creates both folders owned by its user, so a fresh named volume is writable by it.
    assert "mkdir -p /app/var/media /app/var/private && chown -R omnibus /app/var" in (ROOT / "Dockerfile").read_text()

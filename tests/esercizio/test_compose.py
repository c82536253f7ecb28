"""docker-compose.yml (no Docker engine here: read as YAML): a proxy in front of web replicas that can be
scaled, a nightly backup, the volumes they need; and production's static files get WhiteNoise's hashed names."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_web_can_be_scaled_behind_the_proxy():
    services = compose()["services"]
    web, proxy = services["web"], services["proxy"]
    # `--scale web=3` fails on a fixed host port or container name.
    assert "ports" not in web and "container_name" not in web
    assert web["expose"] == ["8000"]
    assert proxy["image"].startswith("caddy:")
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy web:8000" in caddyfile and "health_uri /healthz/" in caddyfile


def test_the_nightly_backup_service_reaches_the_files_it_saves():
    data = compose()
    backup = data["services"]["backup"]
    assert "manage.py backup" in backup["command"][-1] and "restore_drill" in backup["command"][-1]
    for volume in ("private:/app/var/private", "media:/app/var/media", "backups:/backups"):
        assert volume in backup["volumes"]
    assert "private:/app/var/private" in data["services"]["web"]["volumes"]
    assert {"private", "backups", "caddydata"} <= set(data["volumes"])


def test_production_serves_static_files_under_hashed_names():
    code = ("from django.conf import settings; import django; django.setup(); "
            "print(settings.STORAGES['staticfiles']['BACKEND'])")
    env = {"OMNIBUS_ENV": "production", "SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "omnibus.settings",
           "PATH": "/usr/bin:/bin", "ALLOWED_HOSTS": "example.org"}
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "whitenoise.storage.CompressedManifestStaticFilesStorage"

"""Production settings refuse to start when they would be unsafe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env):
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "OMNIBUS_ENV"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT, env={**environment, "DJANGO_SETTINGS_MODULE": "omnibus.settings"},
        capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize(
    "env,message",
    [
        ({"OMNIBUS_ENV": "production", "DEBUG": "1", "SECRET_KEY": "x" * 50}, "DEBUG must be off"),
        ({"OMNIBUS_ENV": "production"}, "Set a real SECRET_KEY"),
        ({"OMNIBUS_ENV": "production", "SECRET_KEY": "short"}, "Set a real SECRET_KEY"),
    ],
)
def test_production_refuses_unsafe_settings(env, message):
    result = load_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_with_safe_settings():
    result = load_settings(OMNIBUS_ENV="production", SECRET_KEY="k" * 50, ALLOWED_HOSTS="omnibus.example")
    assert result.returncode == 0, result.stderr


def test_the_defaults_are_italian_and_rome_time(settings):
    assert settings.LANGUAGE_CODE == "it"
    assert settings.TIME_ZONE == "Europe/Rome"
    assert settings.USE_TZ is True


def test_production_never_mounts_the_test_identity_provider():
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\nfrom django.urls import Resolver404, resolve\n"
        "assert not settings.IDP_TEST_ENABLED and 'idp_test' not in settings.INSTALLED_APPS\n"
        "assert not settings.SOCIALACCOUNT_PROVIDERS['spidcie']['APPS']\n"
        "try:\n    resolve('/idp-test/o/authorize/'); raise SystemExit('mounted')\nexcept Resolver404:\n    pass\n"
    )
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "OMNIBUS_ENV"}}
    environment.update(OMNIBUS_ENV="production", SECRET_KEY="k" * 50, ALLOWED_HOSTS="omnibus.example",
                       IDP_TEST_ENABLED="1", DJANGO_SETTINGS_MODULE="omnibus.settings")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr

"""A non-editable install carries every Django app of the project.

The wheel is built from a copy of the sources (the worktree stays clean), unpacked into an empty directory,
and Django is set up from there alone: `python -S` skips the virtualenv's .pth files (among them the
editable install's finder, which would otherwise find the apps in the worktree), and the path holds only
the unpacked wheel and the third-party packages.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

# Runs in the subprocess: sets Django up and says where each app and its templates were found.
SCRIPT = """
import importlib, json, os, sys
import django
django.setup()
from django.apps import apps
from django.template.loader import get_template
found = {}
for app in sys.argv[1:]:
    config = apps.get_app_config(app.rsplit(".", 1)[-1])
    for name in ("models", "urls", "admin", "views"):
        try:
            importlib.import_module(f"{config.name}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.{name}":
                raise
    found[app] = config.path
found["template"] = get_template("pagamenti/pdf/avviso.html").origin.name
print(json.dumps(found))
"""


def _project_apps() -> list[str]:
    """The INSTALLED_APPS that are packages of this repository (an AppConfig's dotted path, such as the admin's
    `comuni.admin_site.OmnibusAdminConfig`, names no package of ours: its module is imported with comuni)."""
    return [app for app in settings.INSTALLED_APPS if (ROOT.joinpath(*app.split(".")) / "__init__.py").is_file()]


def test_a_built_wheel_imports_every_app(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    shutil.copy(ROOT / "pyproject.toml", source)
    for entry in ROOT.iterdir():
        if entry.is_dir() and (entry / "__init__.py").is_file():
            shutil.copytree(entry, source / entry.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    # The PEP 517 hook pip would call, without pip's isolated build environment (offline, a second).
    dist = str(tmp_path / "dist")
    subprocess.run(
        [sys.executable, "-c", f"from setuptools import build_meta; build_meta.build_wheel({dist!r})"],
        cwd=source, check=True, capture_output=True, timeout=120,
    )
    (wheel,) = (tmp_path / "dist").glob("omnibus-*.whl")
    target = tmp_path / "installed"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)

    apps = _project_apps()
    assert {"comuni", "notifiche", "mensa", "pagamenti", "ufficio"} <= set(apps)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env.update(PYTHONPATH=os.pathsep.join([str(target), sysconfig.get_paths()["purelib"]]),
               DJANGO_SETTINGS_MODULE="omnibus.settings")
    result = subprocess.run([sys.executable, "-S", "-c", SCRIPT, *apps], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert set(found) == {*apps, "template"}
    for app, path in found.items():
        assert Path(path).is_relative_to(target), (app, path)
